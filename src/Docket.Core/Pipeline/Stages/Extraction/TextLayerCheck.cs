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

    public static Assessment Assess(string page)
    {
        int letters = 0, visible = 0, unreadable = 0, words = 0, wordLike = 0, functionWords = 0, wordLikeLetters = 0;
        var word = new StringBuilder();

        void EndWord()
        {
            if (word.Length == 0) return;
            var text = word.ToString();
            word.Clear();
            if (text.Length < 2) return;
            words++;
            if (LooksLikeAWord(text))
            {
                wordLike++;
                wordLikeLetters += text.Length;
            }
            if (Stopwords.All.Contains(text.ToLowerInvariant())) functionWords++;
        }

        foreach (var rune in page.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune))
            {
                EndWord();
                continue;
            }

            visible++;
            if (IsUnreadable(rune))
            {
                unreadable++;
                EndWord();
            }
            else if (Rune.IsLetter(rune))
            {
                letters++;
                word.Append(rune.ToString());
            }
            else
            {
                EndWord();
            }
        }
        EndWord();

        return new Assessment(letters, visible, unreadable, words, wordLike, functionWords, wordLikeLetters);
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
    private static bool LooksLikeAWord(string word)
    {
        if (!word.All(c => c < 0x250)) return true;
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

    private static bool IsVowel(char c) => "aeiouyAEIOUYäöüÄÖÜàâéèêëîïôûùœæÀÂÉÈÊËÎÏÔÛÙŒÆ".Contains(c);
}
