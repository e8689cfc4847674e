using System.Text.Json;

namespace Docket.Eval;

/// <summary>One labelled document of a set's truth.json; <see cref="Values"/> holds the eight fields (null where absent).</summary>
/// <param name="Path">The file, absolute.</param>
/// <param name="Scored">The fields the set labels: a receipt set that labels only issuer, date and total is not scored on the rest.</param>
/// <param name="GoldOcr">The exact transcription of the document's lines, where the set has one.</param>
/// <param name="Seller">Who issued it, for folds: one seller's documents are never split between training and scoring.</param>
internal sealed record TruthDocument(
    string Set, string File, string Path, string Format, string? Language, string Category,
    IReadOnlyDictionary<string, JsonElement> Values, IReadOnlyList<string> Scored, string Group, string? GoldOcr, string Seller)
{
    public bool IsInvoiceLike => Category is "invoice" or "receipt" or "credit_note";

    public string Key => $"{Set}/{File}";
}

internal static class Truth
{
    public static readonly string[] Fields = ["issuer", "invoice_number", "date", "due_date", "net", "tax", "total", "currency"];
    public static readonly string[] AmountFields = ["net", "tax", "total"];

    public const string TextPdf = "text PDFs";
    public const string EInvoice = "e-invoices";
    public const string TextFiles = "text files";
    public const string Ocr = "OCR";
    public const string GoldText = "OCR, exact transcription";
    public static readonly string[] Groups = [TextPdf, EInvoice, TextFiles, Ocr, GoldText];

    /// <summary>The labelled documents of a set folder; the set's name is the folder's.</summary>
    public static List<TruthDocument> Load(string folder)
    {
        var set = System.IO.Path.GetFileName(folder.TrimEnd('/'));
        using var json = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(folder, "truth.json")));
        var documents = new List<TruthDocument>();
        foreach (var doc in json.RootElement.GetProperty("documents").EnumerateArray())
        {
            var file = doc.GetProperty("file").GetString()!;
            var format = doc.GetProperty("format").GetString()!;
            var notes = doc.TryGetProperty("notes", out var n) ? n.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];
            var truth = doc.GetProperty("truth");
            var values = Fields.ToDictionary(f => f, f => truth.TryGetProperty(f, out var v) ? v.Clone() : default);
            var derived = doc.TryGetProperty("derived", out var d) ? d : default;
            var gold = derived.ValueKind == JsonValueKind.Object && derived.TryGetProperty("gold_ocr", out var g) ? g.GetString() : null;
            documents.Add(new TruthDocument(
                set, file, System.IO.Path.Combine(folder, file), format,
                doc.TryGetProperty("language", out var language) ? language.GetString() : null,
                doc.GetProperty("category").GetString()!,
                values,
                ScoredFields(notes),
                GroupOf(folder, file, format, notes),
                gold is null ? null : System.IO.Path.Combine(folder, gold),
                values["issuer"].ValueKind == JsonValueKind.String ? values["issuer"].GetString()!.Trim().ToLowerInvariant() : $"{set}/{file}"));
        }

        return documents;
    }

    /// <summary>
    /// A set that says in its notes which fields are not labelled upstream ("other fields are null (not labelled)",
    /// "currency is not labelled upstream") is scored on the labelled ones only.
    /// </summary>
    private static List<string> ScoredFields(List<string> notes)
    {
        var onlySome = notes.Any(n => n.Contains("upstream", StringComparison.OrdinalIgnoreCase) && n.Contains("labels (", StringComparison.OrdinalIgnoreCase));
        if (!onlySome) return [.. Fields];
        var labelled = notes.First(n => n.Contains("labels (", StringComparison.OrdinalIgnoreCase));
        var inside = labelled[(labelled.IndexOf("labels (", StringComparison.OrdinalIgnoreCase) + 8)..];
        inside = inside[..Math.Max(0, inside.IndexOf(')'))];
        var named = inside.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(name => name == "company" ? "issuer" : name).Where(Fields.Contains).ToList();
        return named.Count > 0 ? named : [.. Fields];
    }

    /// <summary>
    /// Images always need OCR, and so do PDFs whose notes say so (the corpora mark their simulated scans);
    /// a PDF with its CII XML beside it (extracted as NAME.embedded.xml) is an e-invoice.
    /// </summary>
    private static string GroupOf(string folder, string file, string format, List<string> notes)
    {
        if (format is "png" or "jpg" or "jpeg" or "tif" or "tiff") return Ocr;
        if (format != "pdf") return TextFiles;
        if (notes.Any(n => n.Contains("OCR required", StringComparison.OrdinalIgnoreCase) || n.Contains("simulated scan", StringComparison.OrdinalIgnoreCase))) return Ocr;
        var xml = System.IO.Path.Combine(folder, System.IO.Path.ChangeExtension(file, ".embedded.xml"));
        return File.Exists(xml) || notes.Any(n => n.Contains("XML attachment", StringComparison.OrdinalIgnoreCase)) ? EInvoice : TextPdf;
    }
}
