using System.Text;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>
/// RFC 4180 records: quoted fields may hold the delimiter, line breaks and doubled quotes.
/// Lenient where the RFC is strict, because a slightly broken export still has readable text:
/// a quote inside an unquoted field is kept as a character, and an unclosed quote runs to the end.
/// </summary>
public static class CsvReader
{
    /// <summary>
    /// Picks ',', ';' or tab by counting them on the first line (outside quotes). European
    /// spreadsheets write ';' because ',' is their decimal separator.
    /// </summary>
    public static char SniffDelimiter(ReadOnlySpan<char> text)
    {
        int commas = 0, semicolons = 0, tabs = 0;
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"') quoted = !quoted;
            else if (quoted) continue;
            else if (c == '\n') break;
            else if (c == ',') commas++;
            else if (c == ';') semicolons++;
            else if (c == '\t') tabs++;
        }

        if (semicolons > commas && semicolons >= tabs) return ';';
        if (tabs > commas && tabs > semicolons) return '\t';
        return ',';
    }

    /// <summary>Yields each record's fields. <paramref name="position"/> is where the reader is, for progress.</summary>
    public static IEnumerable<IReadOnlyList<string>> ReadRecords(string text, char delimiter, Action<int>? position = null)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            fields.Clear();
            var endOfRecord = false;
            while (!endOfRecord)
            {
                field.Clear();
                if (i < text.Length && text[i] == '"')
                {
                    i++;
                    while (i < text.Length)
                    {
                        if (text[i] != '"') field.Append(text[i++]);
                        else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; }
                        else { i++; break; }
                    }
                }

                // Unquoted field, or whatever follows a closing quote up to the delimiter.
                while (i < text.Length && text[i] != delimiter && text[i] != '\n')
                    field.Append(text[i++]);

                fields.Add(field.ToString());
                if (i >= text.Length || text[i] == '\n') endOfRecord = true;
                i++;
            }

            position?.Invoke(Math.Min(i, text.Length));
            var blankLine = fields.Count == 1 && fields[0].Length == 0;
            if (!blankLine) yield return fields.ToArray();
        }
    }
}
