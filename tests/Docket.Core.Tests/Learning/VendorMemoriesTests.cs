using Docket.Core.Learning;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Core.Pipeline.Stages.Fields;
using Docket.Core.Uploads;

namespace Docket.Core.Tests.Learning;

/// <summary>
/// Vendor memory per owner: two users buy from the same (invented) vendor; what one user's reviewer
/// taught reaches that user's next document and nobody else's.
/// </summary>
public sealed class VendorMemoriesTests
{
    private static string Invoice(string number, string order, string extra = "") => $"""
        MARLOWE & TATE
        Unit 7, Forge Estate, Sheffield S9 2RT
        sales@marlowe-tate.example   VAT Reg. No. GB 771 2044 19

        INVOICE
        Document ref.: {number}
        Order No.: {order}
        Issued: 4 March 2025

        Subtotal: £240.00
        VAT 20%: £0.00
        Total: £240.00
        {extra}
        Registered office: Marlowe & Tate Fasteners Limited, Sheffield. Registered in England No. 04411823.
        """;

    private static readonly string First = Invoice("DR-5531", "PO-1180");
    private static readonly string Next = Invoice("DR-5590", "PO-1322");

    private const string ProperName = "Marlowe & Tate Fasteners Limited";

    private static readonly Guid Alice = Guid.NewGuid();
    private static readonly Guid Bob = Guid.NewGuid();

    private static FinalisedExample Finalise(Guid owner, string text, IReadOnlyDictionary<string, string?> edits, string category = Categories.Invoice)
    {
        var machine = InvoiceFieldExtractor.Extract(new ExtractedText(text, [0], "native"), Categories.Invoice).Values;
        var final = machine.ToDictionary(f => f.Key, f => (string?)f.Value.Value);
        foreach (var (name, value) in edits) final[name] = value;
        return new FinalisedExample(Guid.NewGuid(), owner, "invoice.txt", text, category, category, machine, final, DateTimeOffset.UtcNow);
    }

    private static Dictionary<string, string?> Corrected(string issuer) =>
        new() { [FieldNames.Issuer] = issuer, [FieldNames.InvoiceNumber] = "DR-5531" };

    /// <summary>The field stage as a worker runs it, on a document of <paramref name="owner"/>.</summary>
    private static async Task<ExtractedFields> FieldsAsync(VendorMemories memories, Guid? owner, string text)
    {
        var context = new PipelineContext(new DocumentInput(Guid.NewGuid(), "invoice.txt", FileKind.Text, text.Length, "/nonexistent", OwnerId: owner))
        {
            Text = new ExtractedText(text, [0], "native"),
            Category = new Categorisation(Categories.Invoice, 0.9, "rules"),
        };
        await new ExtractFieldsStage(memories).RunAsync(context, CancellationToken.None);
        return context.Fields!;
    }

    [Fact]
    public async Task OneOwnersCorrection_IsRecalledForTheirNextDocument_AndNotForAnotherOwnersDocumentOfTheSameVendor()
    {
        var memories = new VendorMemories();
        memories.Learn(Finalise(Alice, First, Corrected(ProperName)));

        var alices = (await FieldsAsync(memories, Alice, Next)).Values;
        var bobs = (await FieldsAsync(memories, Bob, Next)).Values;

        Assert.Equal(ProperName, alices[FieldNames.Issuer].Value);
        Assert.Equal("DR-5590", alices[FieldNames.InvoiceNumber].Value);
        Assert.NotEqual(ProperName, bobs[FieldNames.Issuer].Value);
        Assert.Equal("PO-1322", bobs[FieldNames.InvoiceNumber].Value);
        Assert.Equal(InvoiceFieldExtractor.Extract(new ExtractedText(Next, [0], "native"), Categories.Invoice).Values, bobs);
    }

    [Fact]
    public async Task TwoOwnersWhoCorrectTheSameVendorDifferently_EachGetTheirOwnName()
    {
        var memories = new VendorMemories();
        memories.Learn(Finalise(Alice, First, Corrected(ProperName)));
        memories.Learn(Finalise(Bob, First, Corrected("M&T Sheffield (Bob's name for them)")));

        Assert.Equal(ProperName, (await FieldsAsync(memories, Alice, Next)).Values[FieldNames.Issuer].Value);
        Assert.Equal("M&T Sheffield (Bob's name for them)", (await FieldsAsync(memories, Bob, Next)).Values[FieldNames.Issuer].Value);
        Assert.Equal(ProperName, memories.Of(Alice)!.Recall(Next, null)?.Name);
    }

    [Fact]
    public async Task ADocumentOfNobodys_RecallsNoVendor()
    {
        var memories = new VendorMemories();
        memories.Learn(Finalise(Alice, First, Corrected(ProperName)));
        memories.Learn(Finalise(Guid.Empty, First, Corrected(ProperName)));

        Assert.NotEqual(ProperName, (await FieldsAsync(memories, owner: null, Next)).Values[FieldNames.Issuer].Value);
    }

    [Fact]
    public void AnotherOwnersDocuments_CannotMakeAnOwnersKeysAmbiguous()
    {
        // Bob's other supplier prints the same VAT number and mail domain (one shared letterhead printer, say):
        // in one memory for both, the keys would name two vendors and recognise neither.
        var memories = new VendorMemories();
        memories.Learn(Finalise(Alice, First, Corrected(ProperName)));
        memories.Learn(Finalise(Bob, First, Corrected("Pennine Paper Co. Ltd")));
        memories.Learn(Finalise(Bob, Invoice("PP-1", "PO-9"), Corrected("Brackenfield Tools Ltd")));

        Assert.Equal(ProperName, memories.Of(Alice)!.Recall(Next, "MARLOWE & TATE")?.Name);
        Assert.Equal(1, memories.Of(Alice)!.VendorCount);
    }

    [Fact]
    public void AnOwnerWhoseDocumentsTeachNothing_HasNoMemory()
    {
        var memories = new VendorMemories();
        for (var i = 0; i < 1000; i++)
            memories.Learn(Finalise(Guid.NewGuid(), "Minutes of the meeting of 3 March", new Dictionary<string, string?>(), Categories.Letter));
        memories.Learn(Finalise(Bob, First, new Dictionary<string, string?> { [FieldNames.Issuer] = null }));

        Assert.Equal(0, memories.OwnerCount);
        Assert.Null(memories.Of(Bob));
    }

    [Fact]
    public void AnOwnersMemory_RefusesAnotherOwnersDocument()
    {
        var memory = new VendorMemory(Alice);

        Assert.Throws<ArgumentException>(() => memory.Learn(Finalise(Bob, First, Corrected(ProperName))));
        Assert.Equal(0, memory.VendorCount);
    }
}
