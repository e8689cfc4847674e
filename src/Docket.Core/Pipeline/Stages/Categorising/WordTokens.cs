using System.Runtime.InteropServices;

namespace Docket.Core.Pipeline.Stages.Categorising;

[Flags]
public enum TokenFlags : byte
{
    None = 0,
    LineStart = 1,
    LineEnd = 2,
    /// <summary>Digits only, or a time of day ("12:41").</summary>
    Number = 4,
    Time = 8,
}

/// <param name="Next">
/// The first character after the token on its line that is not blank or emphasis ('\0' at the end of
/// the line): "To:", "**Objet :**" and "Madame," are told apart from the same words in running text by it.
/// </param>
public readonly record struct Token(int Start, int Length, TokenFlags Flags, char Next);

/// <param name="Length">Characters on the line without surrounding blanks.</param>
/// <param name="HasColon">A labelled line ("Date: ...") is a field, never the document's name.</param>
public readonly record struct TokenLine(int FirstToken, int TokenCount, int Length, bool HasColon);

/// <summary>
/// The words of a text, lower-cased, with where they stand on their lines: what the category rules
/// and the classifier read. One pass, one copy of the text; rules then match phrases token by token
/// instead of scanning the text once per pattern.
/// </summary>
public sealed class WordTokens
{
    /// <summary>What a document is shows near its top; reading further only costs time on huge texts.</summary>
    public const int MaxCharacters = 100_000;

    private readonly List<Token> _tokens;
    private readonly List<TokenLine> _lines;

    /// <summary>The text lower-cased (invariant, one char for one char), so offsets match the original.</summary>
    public string Lower { get; }

    public ReadOnlySpan<Token> Tokens => CollectionsMarshal.AsSpan(_tokens);

    public ReadOnlySpan<TokenLine> Lines => CollectionsMarshal.AsSpan(_lines);

    public ReadOnlySpan<char> TextOf(in Token token) => Lower.AsSpan(token.Start, token.Length);

    public WordTokens(string text)
    {
        Lower = (text.Length > MaxCharacters ? text[..MaxCharacters] : text).ToLowerInvariant();
        _tokens = new List<Token>(Lower.Length / 5);
        _lines = new List<TokenLine>(Lower.Length / 30);
        var content = Lower.AsSpan();
        for (var lineStart = 0; lineStart <= content.Length;)
        {
            var end = content[lineStart..].IndexOf('\n');
            var lineEnd = end < 0 ? content.Length : lineStart + end;
            ReadLine(lineStart, lineEnd);
            lineStart = lineEnd + 1;
        }
    }

    private void ReadLine(int start, int end)
    {
        var line = Lower.AsSpan(start, end - start);
        var first = _tokens.Count;
        for (var i = 0; i < line.Length;)
        {
            var c = line[i];
            if (char.IsLetterOrDigit(c))
            {
                var j = i + 1;
                while (j < line.Length && char.IsLetterOrDigit(line[j])) j++;
                var flags = line[i..j].ContainsAnyExcept(Digits) ? TokenFlags.None : TokenFlags.Number;
                // "12:41" and "12:41:07" stay one token: a clock time, which tills print and letters do not.
                if (flags == TokenFlags.Number && j - i <= 2 && IsClockMinutes(line, j))
                {
                    j += 3;
                    if (IsClockMinutes(line, j)) j += 3;
                    flags |= TokenFlags.Time;
                }

                Add(start + i, j - i, flags, line, j);
                i = j;
            }
            // "n°", "§ 3", "Terms & Conditions", "Invoice #"; a '#' opening a line is Markdown, not a number sign.
            else if (c is '°' or '§' or '№' or '&' || (c == '#' && _tokens.Count > first))
            {
                Add(start + i, 1, TokenFlags.None, line, i + 1);
                i++;
            }
            else i++;
        }

        var count = _tokens.Count - first;
        if (count == 0)
        {
            _lines.Add(new TokenLine(first, 0, 0, false));
            return;
        }

        var tokens = CollectionsMarshal.AsSpan(_tokens);
        tokens[first] = tokens[first] with { Flags = tokens[first].Flags | TokenFlags.LineStart };
        tokens[^1] = tokens[^1] with { Flags = tokens[^1].Flags | TokenFlags.LineEnd };
        _lines.Add(new TokenLine(first, count, line.Trim().Length, line.Contains(':')));
    }

    private void Add(int start, int length, TokenFlags flags, ReadOnlySpan<char> line, int after)
    {
        var next = '\0';
        foreach (var c in line[after..])
        {
            if (c is ' ' or '\t' or '\r' or '\u00A0' or '*' or '_') continue;
            next = c;
            break;
        }

        _tokens.Add(new Token(start, length, flags, next));
    }

    private static bool IsClockMinutes(ReadOnlySpan<char> line, int colon) =>
        colon + 2 < line.Length && line[colon] == ':' && char.IsAsciiDigit(line[colon + 1]) && char.IsAsciiDigit(line[colon + 2])
        && (colon + 3 == line.Length || !char.IsLetterOrDigit(line[colon + 3]));

    private static readonly System.Buffers.SearchValues<char> Digits = System.Buffers.SearchValues.Create("0123456789");
}
