using Docket.Core.Documents;
using Docket.Core.Pipeline;

namespace Docket.Core.Tests.Documents;

public class DuplicateKeysTests
{
    private static DuplicateKeys Keys(string? issuer, string? number, string? date = null, string? total = null,
        string category = Categories.Invoice) =>
        DuplicateKeys.For(category, new Dictionary<string, string?>
        {
            [FieldNames.Issuer] = issuer,
            [FieldNames.InvoiceNumber] = number,
            [FieldNames.Date] = date,
            [FieldNames.Total] = total,
        });

    [Theory]
    [InlineData("ACME Supplies Ltd", "INV-0042")]
    [InlineData("  acme   supplies\tLTD ", "inv 0042")]
    [InlineData("Acme Supplies Ltd", "INV–0042")] // an en dash
    [InlineData("ＡＣＭＥ Supplies Ltd", "INV0042")] // full-width letters
    public void TheNumberKey_IgnoresCaseSpacingAndDashes(string issuer, string number) =>
        Assert.Equal(Keys("ACME Supplies Ltd", "INV-0042").NumberKey, Keys(issuer, number).NumberKey);

    [Fact]
    public void TheNumberKey_TellsAnotherNumberOrIssuerApart()
    {
        var key = Keys("ACME Supplies Ltd", "INV-0042").NumberKey;
        Assert.NotNull(key);
        Assert.NotEqual(key, Keys("ACME Supplies Ltd", "INV-0043").NumberKey);
        Assert.NotEqual(key, Keys("ACME Supply Ltd", "INV-0042").NumberKey);
        // Spaces inside an issuer's name are collapsed, not removed: these are two names.
        Assert.NotEqual(Keys("AB Cars", "1").NumberKey, Keys("ABC ars", "1").NumberKey);
    }

    [Fact]
    public void TheTotalKey_ComparesTheTotalAsAnAmount_AndNeedsTheDate()
    {
        var key = Keys("ACME", null, "2025-03-01", "1250.00").TotalKey;
        Assert.NotNull(key);
        Assert.Equal(key, Keys(" acme ", "X-1", "2025-03-01", "1250").TotalKey);
        Assert.NotEqual(key, Keys("ACME", null, "2025-03-02", "1250.00").TotalKey);
        Assert.NotEqual(key, Keys("ACME", null, "2025-03-01", "1250.01").TotalKey);
        Assert.Null(Keys("ACME", null, null, "1250.00").TotalKey);
        Assert.Null(Keys("ACME", null, "1 March 2025", "1250.00").TotalKey);
    }

    [Fact]
    public void TheTwoKeys_NeverEqualEachOther()
    {
        var keys = Keys("ACME", "2025-03-01", "2025-03-01", "1");
        Assert.NotEqual(keys.NumberKey, keys.TotalKey);
    }

    [Theory]
    [InlineData(Categories.Receipt)]
    [InlineData(Categories.CreditNote)]
    [InlineData(Categories.Other)]
    public void OnlyAnInvoice_HasKeys(string category) =>
        Assert.True(Keys("ACME", "INV-1", "2025-03-01", "10.00", category).IsEmpty);

    [Fact]
    public void AnInvoiceWithoutAnIssuer_HasNoKeys() =>
        Assert.True(Keys("  ", "INV-1", "2025-03-01", "10.00").IsEmpty);
}
