namespace Docket.Bench;

/// <summary>
/// Word accuracy of OCR text against a transcription, as the ICDAR 2019 SROIE text-recognition task scores it (the
/// task the receipts come from): both texts split at white space into words, the words compared as multisets, so a
/// word counts as read once for every time it is in both. Recall is the share of the transcription's words read,
/// precision the share of OCR's words that are in the transcription. Exact words but for case, punctuation included:
/// "RM9.00" for "RM9.90" is a miss, which is what the field stage would see; case is not scored because the receipts'
/// transcriptions are in capitals whatever the print ("THANK YOU" for "Thank You"). Order is not scored: the layout
/// puts a receipt's columns where the page has them, which a line-by-line transcription does not.
/// </summary>
public readonly record struct WordScore(int Truth, int Read, int Matched)
{
    public double Recall => Truth == 0 ? 1 : (double)Matched / Truth;

    public double Precision => Read == 0 ? 1 : (double)Matched / Read;

    public double F1 => Recall + Precision == 0 ? 0 : 2 * Recall * Precision / (Recall + Precision);

    public static WordScore operator +(WordScore a, WordScore b) => new(a.Truth + b.Truth, a.Read + b.Read, a.Matched + b.Matched);

    public static WordScore Of(IEnumerable<string> truth, string ocr)
    {
        var wanted = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var truthCount = 0;
        foreach (var word in truth.SelectMany(Words))
        {
            wanted[word] = wanted.GetValueOrDefault(word) + 1;
            truthCount++;
        }

        var read = 0;
        var matched = 0;
        foreach (var word in Words(ocr))
        {
            read++;
            if (wanted.TryGetValue(word, out var left) && left > 0)
            {
                wanted[word] = left - 1;
                matched++;
            }
        }
        return new WordScore(truthCount, read, matched);
    }

    public static string[] Words(string text) => text.Split((char[])[' ', '\t', '\n', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The text of each line of a SROIE box file: <c>x1,y1,x2,y2,x3,y3,x4,y4,text</c>, the text after the eighth
    /// comma (it may hold commas of its own).
    /// </summary>
    public static IEnumerable<string> BoxLines(string box)
    {
        foreach (var row in box.Split('\n'))
        {
            var at = -1;
            for (var i = 0; i < 8 && (at = row.IndexOf(',', at + 1)) >= 0; i++) { }
            if (at >= 0) yield return row[(at + 1)..].TrimEnd('\r');
        }
    }
}
