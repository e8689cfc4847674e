using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Docket.Core.Pipeline.Stages.Analysis;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>
/// Judges whether the text layer of a PDF page is text a person could read, or whether the page
/// is a scan: no layer at all, a few stray characters (a page number stamped on a scan), or a
/// garbage layer (fonts without a Unicode map come out as control, replacement or private-use
/// characters; a bad OCR layer or a shifted encoding as strings that are not words).
/// </summary>
public static class TextLayerCheck
{
    /// <summary>Fewer letters than this on a page and it is taken for a scan with a stamp on it.</summary>
    public const int MinLetters = 50;

    /// <summary>Share of the page's visible characters that may be unreadable ones.</summary>
    private const double MaxUnreadableShare = 0.10;

    /// <summary>Share of the page's words that must look like words of a Latin-script language.</summary>
    private const double MinWordShare = 0.6;

    /// <summary>A page this many words long with not one function word of English, German or French is not prose in them.</summary>
    private const int WordsThatMustHoldAFunctionWord = 30;

    public sealed record Assessment(int Letters, int Visible, int Unreadable, int Words, int WordLike, int FunctionWords, int WordLikeLetters)
    {
        public bool NeedsOcr =>
            Letters < MinLetters
            || Unreadable > Visible * MaxUnreadableShare
            || WordLike < Words * MinWordShare
            || (Words >= WordsThatMustHoldAFunctionWord && FunctionWords == 0);

        /// <summary>
        /// How much readable text the page holds: the letters of its word-like words, halved for a
        /// long page without a single function word. Used to choose between a page's text layer and
        /// its OCR text.
        /// </summary>
        public double Score =>
            Words >= WordsThatMustHoldAFunctionWord && FunctionWords == 0 ? WordLikeLetters / 2.0 : WordLikeLetters;
    }

    /// <summary>Words are looked up lower-cased in a buffer of this size; longer ones are no function word anyway.</summary>
    private const int MaxFunctionWordLength = 32;

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> FunctionWords =
        Stopwords.All.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// One pass over the page without allocating: a word is a run of letters, so it is a slice of
    /// the page (a 100-page PDF is judged page by page, half a million characters, on every upload).
    /// </summary>
    public static Assessment Assess(string page)
    {
        int letters = 0, visible = 0, unreadable = 0, words = 0, wordLike = 0, functionWords = 0, wordLikeLetters = 0;
        var text = page.AsSpan();
        Span<char> lower = stackalloc char[MaxFunctionWordLength];
        var wordStart = -1;

        void EndWord(ReadOnlySpan<char> text, int end, Span<char> lower)
        {
            if (wordStart < 0) return;
            var word = text[wordStart..end];
            wordStart = -1;
            if (word.Length < 2) return;
            words++;
            if (LooksLikeAWord(word))
            {
                wordLike++;
                wordLikeLetters += word.Length;
            }
            if (word.Length <= lower.Length)
            {
                var lowered = lower[..word.Length];
                word.ToLowerInvariant(lowered);
                if (FunctionWords.Contains(lowered)) functionWords++;
            }
        }

        for (var i = 0; i < text.Length;)
        {
            var length = 1;
            var kind = text[i] < AsciiKinds.Length ? AsciiKinds[text[i]] : KindOf(text[i..], out length);
            if (kind == CharKind.WhiteSpace)
            {
                EndWord(text, i, lower);
            }
            else
            {
                visible++;
                if (kind == CharKind.Unreadable)
                {
                    unreadable++;
                    EndWord(text, i, lower);
                }
                else if (kind == CharKind.Letter)
                {
                    letters++;
                    if (wordStart < 0) wordStart = i;
                }
                else
                {
                    EndWord(text, i, lower);
                }
            }

            i += length;
        }
        EndWord(text, text.Length, lower);

        return new Assessment(letters, visible, unreadable, words, wordLike, functionWords, wordLikeLetters);
    }

    private enum CharKind : byte { WhiteSpace, Unreadable, Letter, Other }

    /// <summary>What each ASCII character is, worked out once by <see cref="KindOf"/>: most of a Latin-script page is ASCII.</summary>
    private static readonly CharKind[] AsciiKinds = Enumerable.Range(0, 128).Select(c => KindOf([(char)c], out _)).ToArray();

    private static CharKind KindOf(ReadOnlySpan<char> text, out int length)
    {
        // Invalid UTF-16 (a lone surrogate) decodes to U+FFFD, as string.EnumerateRunes gives it.
        Rune.DecodeFromUtf16(text, out var rune, out length);
        if (Rune.IsWhiteSpace(rune)) return CharKind.WhiteSpace;
        if (IsUnreadable(rune)) return CharKind.Unreadable;
        return Rune.IsLetter(rune) ? CharKind.Letter : CharKind.Other;
    }

    /// <summary>
    /// Replacement characters, private-use code points (where fonts without a Unicode map land),
    /// control characters and unassigned code points.
    /// </summary>
    private static bool IsUnreadable(Rune rune) =>
        rune.Value == 0xFFFD
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.PrivateUse or UnicodeCategory.Control
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate;

    /// <summary>
    /// A word of a Latin-script language has a vowel, no long run of consonants, and capitals only
    /// at its start or throughout ("Invoice", "VAT", "MwSt" is allowed by the short-word rule).
    /// Other scripts are taken as they come: this check is for the languages Docket reads.
    /// </summary>
    private static bool LooksLikeAWord(ReadOnlySpan<char> word)
    {
        if (word.ContainsAnyExceptInRange('\0', '\u024F')) return true;
        if (word.Length <= 4) return true;

        var vowels = 0;
        var consonantRun = 0;
        var longestRun = 0;
        var innerCapitals = 0;
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            if (IsVowel(c))
            {
                vowels++;
                consonantRun = 0;
            }
            else
            {
                longestRun = Math.Max(longestRun, ++consonantRun);
            }
            if (i > 0 && char.IsUpper(c)) innerCapitals++;
        }

        var mixedCase = innerCapitals > 0 && innerCapitals < word.Length - 1;
        return vowels > 0 && longestRun <= 6 && (!mixedCase || innerCapitals == 1);
    }

    private static bool IsVowel(char c) => Vowels.Contains(c);

    private static readonly SearchValues<char> Vowels = SearchValues.Create("aeiouyAEIOUYäöüÄÖÜàâéèêëîïôûùœæÀÂÉÈÊËÎÏÔÛÙŒÆ");
}
