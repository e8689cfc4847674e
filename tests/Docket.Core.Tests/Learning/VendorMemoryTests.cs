using Docket.Core.Learning;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Fields;

namespace Docket.Core.Tests.Learning;

/// <summary>Two documents of one (invented) vendor: what a reviewer corrects on the first, the second gets right.</summary>
public sealed class VendorMemoryTests
{
    private static string Invoice(string number, string order, string date, string total, string vat = "GB 771 2044 19") => $"""
        MARLOWE & TATE
        Unit 7, Forge Estate, Sheffield S9 2RT
        sales@marlowe-tate.example   VAT Reg. No. {vat}

        INVOICE
        Document ref.: {number}
        Order No.: {order}
        Issued: {date}
        Pay by: on receipt of goods

        Subtotal: £{total}.00
        VAT 20%: £0.00
        Total: £{total}.00

        Registered office: Marlowe & Tate Fasteners Limited, Sheffield. Registered in England No. 04411823.
        """;

    private static readonly string First = Invoice("DR-5531", "PO-1180", "4 March 2025", "240");
    private static readonly string Second = Invoice("DR-5590", "PO-1322", "9 April 2025", "310");

    private static ExtractedFields Read(string text, VendorMemory? memory = null) =>
        InvoiceFieldExtractor.Extract(new ExtractedText(text, [0], "native"), Categories.Invoice, vendors: memory);

    /// <summary>The owner of the documents every test here learns from, unless it says otherwise.</summary>
    private static readonly Guid Owner = Guid.NewGuid();

    private static FinalisedExample Finalise(string text, IReadOnlyDictionary<string, string?> edits, string category = Categories.Invoice,
        Guid? owner = null)
    {
        var machine = Read(text).Values;
        var final = machine.ToDictionary(f => f.Key, f => (string?)f.Value.Value);
        foreach (var (name, value) in edits) final[name] = value;
        return new FinalisedExample(Guid.NewGuid(), owner ?? Owner, "invoice.txt", text, category, category, machine, final, DateTimeOffset.UtcNow);
    }

    [Fact]
    public void WithoutALesson_TheRulesGetThisVendorWrong()
    {
        var fields = Read(Second).Values;

        Assert.NotEqual("Marlowe & Tate Fasteners Limited", fields[FieldNames.Issuer].Value);
        Assert.Equal("PO-1322", fields[FieldNames.InvoiceNumber].Value);
    }

    [Fact]
    public void ACorrectedIssuer_IsGivenForTheVendorsNextDocument_WithTheLearnedConfidence()
    {
        var memory = new VendorMemory(Owner);
        memory.Learn(Finalise(First, new Dictionary<string, string?> { [FieldNames.Issuer] = "Marlowe & Tate Fasteners Limited" }));

        var issuer = Read(Second, memory).Values[FieldNames.Issuer];

        Assert.Equal("Marlowe & Tate Fasteners Limited", issuer.Value);
        Assert.Equal(InvoiceFieldExtractor.LearnedIssuerConfidence, issuer.Confidence);
        Assert.Equal("Marlowe & Tate Fasteners Limited", Second[issuer.Source!.Start..issuer.Source.End]);
    }

    [Fact]
    public void ACorrectedValue_IsReadAfterTheLabelItStoodAfter_OnTheVendorsNextDocument()
    {
        var memory = new VendorMemory(Owner);
        memory.Learn(Finalise(First, new Dictionary<string, string?>
        {
            [FieldNames.Issuer] = "Marlowe & Tate Fasteners Limited",
            [FieldNames.InvoiceNumber] = "DR-5531",
        }));

        var number = Read(Second, memory).Values[FieldNames.InvoiceNumber];

        Assert.Equal("DR-5590", number.Value);
        Assert.Equal(InvoiceFieldExtractor.LearnedConfidence, number.Confidence);
        Assert.Equal("DR-5590", Second[number.Source!.Start..number.Source.End]);
    }

    [Fact]
    public void AFieldTheReviewerCleared_StaysEmpty_OnTheVendorsNextDocument()
    {
        var withDue = Invoice("DR-5531", "PO-1180", "4 March 2025", "240").Replace("Pay by: on receipt of goods", "Pay by: 4 April 2025");
        var nextWithDue = Invoice("DR-5590", "PO-1322", "9 April 2025", "310").Replace("Pay by: on receipt of goods", "Pay by: 9 May 2025");
        Assert.True(Read(nextWithDue).Values.ContainsKey(FieldNames.DueDate));
        var memory = new VendorMemory(Owner);
        memory.Learn(Finalise(withDue, new Dictionary<string, string?> { [FieldNames.Issuer] = "Marlowe & Tate Fasteners Limited", [FieldNames.DueDate] = null }));

        Assert.False(Read(nextWithDue, memory).Values.ContainsKey(FieldNames.DueDate));
    }

    [Fact]
    public void AnotherVendorsDocument_IsNotChangedByTheLesson()
    {
        var memory = new VendorMemory(Owner);
        memory.Learn(Finalise(First, new Dictionary<string, string?> { [FieldNames.Issuer] = "Marlowe & Tate Fasteners Limited", [FieldNames.InvoiceNumber] = "DR-5531" }));
        const string other = """
            Pennine Paper Co. Ltd
            orders@pennine-paper.example   VAT Reg. No. GB 300 1188 52

            INVOICE
            Document ref.: PP-77
            Invoice No.: 2025-0099
            Invoice date: 2 May 2025
            Total: £50.00
            """;

        var fields = Read(other, memory).Values;

        Assert.Equal("Pennine Paper Co. Ltd", fields[FieldNames.Issuer].Value);
        Assert.Equal("2025-0099", fields[FieldNames.InvoiceNumber].Value);
    }

    [Fact]
    public void ANumberPrintedOnTwoVendorsDocuments_SaysNothingAboutTheVendor()
    {
        // Both suppliers print the customer's VAT number; it must not make one supplier's lessons the other's.
        const string customerVat = "Customer VAT No. GB 999 0000 11";
        var memory = new VendorMemory(Owner);
        memory.Learn(Finalise(First + customerVat, new Dictionary<string, string?> { [FieldNames.Issuer] = "Marlowe & Tate Fasteners Limited" }));
        memory.Learn(Finalise("Pennine Paper Co. Ltd\nINVOICE\nInvoice No.: P-1\nTotal: £5.00\n" + customerVat,
            new Dictionary<string, string?>()));

        var stranger = "Unknown Supplies Ltd\nINVOICE\nInvoice No.: U-1\nTotal: £9.00\n" + customerVat;

        Assert.Null(memory.Recall(stranger, "Unknown Supplies Ltd"));
        Assert.Equal("Marlowe & Tate Fasteners Limited", memory.Recall(Second, null)?.Name);
    }

    [Fact]
    public void Keys_AreRegistrationNumbersIbansAndMailDomains_Normalised()
    {
        var keys = VendorMemory.KeysOf("USt-IdNr.: DE 311 908 245\nIBAN DE02 1001 0010 0123 4567 89\nbilling@acme-tools.example\nme@gmail.com\nDatum 15.02.2023").ToList();

        Assert.Contains("id:DE311908245", keys);
        Assert.Contains("id:DE02100100100123456789", keys);
        Assert.Contains("mail:acme-tools.example", keys);
        Assert.DoesNotContain("mail:gmail.com", keys);
        Assert.DoesNotContain(keys, k => k.Contains("15022023"));
    }

    [Theory]
    [InlineData("Rechnungsdatum:     12.03.2025", "12.03", "rechnungsdatum")]
    [InlineData("Kunde: K-1      Tax point   2025-03-12", "2025", "tax point")]
    [InlineData("| Ref. | DR-1 |", "DR-1", "ref.")]
    [InlineData("Intro\nDocument reference\nDR-1", "DR-1", "document reference")]
    public void TheLabelOfAValue_IsTheTextBeforeItInItsColumn_OrTheLineAbove(string text, string value, string label)
    {
        Assert.Equal(label, VendorMemory.LabelBefore(text, text.IndexOf(value, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ReadersWhileLearning_SeeOneStateOrTheNext_NeverAHalfWrittenOne()
    {
        var memory = new VendorMemory(Owner);
        var lesson = Finalise(First, new Dictionary<string, string?> { [FieldNames.Issuer] = "Marlowe & Tate Fasteners Limited", [FieldNames.InvoiceNumber] = "DR-5531" });
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var seen = new HashSet<string?>();
            while (!stop.IsCancellationRequested) seen.Add(Read(Second, memory).Values[FieldNames.InvoiceNumber].Value);
            return seen;
        })).ToArray();

        for (var i = 0; i < 200; i++) memory.Learn(lesson);
        await Task.Delay(50);
        await stop.CancelAsync();

        var seen = (await Task.WhenAll(readers)).SelectMany(s => s).ToHashSet();
        Assert.Subset(new HashSet<string?> { "PO-1322", "DR-5590" }, seen);
        Assert.Equal("DR-5590", Read(Second, memory).Values[FieldNames.InvoiceNumber].Value);
    }
}
