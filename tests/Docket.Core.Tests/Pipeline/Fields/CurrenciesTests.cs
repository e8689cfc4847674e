using Docket.Core.Pipeline.Stages.Fields;

namespace Docket.Core.Tests.Pipeline.Fields;

public sealed class CurrenciesTests
{
    [Theory]
    [InlineData("Total Rs. 2,53,050.00", "INR")]
    [InlineData("Total ₹1,200.00", "INR")]
    [InlineData("Total CHF 25.23", "CHF")]
    [InlineData("Total 12,50 €", "EUR")]
    [InlineData("Total 78,42 EUR", "EUR")]
    [InlineData("Total US$ 40.00", "USD")]
    [InlineData("Total 120,00 zł", "PLN")]
    [InlineData("Total SEK 300.00", "SEK")]
    public void AnAmount_CarriesTheCurrencyWrittenBesideIt(string text, string iso)
    {
        Assert.Equal(iso, Amounts.FindMoney(text).Last().Currency);
    }

    [Theory]
    [InlineData("CUP 3.50")]
    [InlineData("ALL 12.00")]
    [InlineData("EURO 12.00")]
    public void AWordThatIsAlsoACode_IsNoCurrency_BesideAnAmount(string text)
    {
        Assert.Null(Amounts.FindMoney(text).Last().Currency);
    }

    [Theory]
    [InlineData("usd", "USD")]
    [InlineData("Try", "TRY")]
    [InlineData("€", "EUR")]
    [InlineData("Rs.", "INR")]
    public void ALabelledCurrency_MayBeAnyCodeInAnyCase(string value, string iso)
    {
        Assert.Equal(iso, Currencies.FromLabelledValue(value));
    }

    [Theory]
    [InlineData("EUR", true)]
    [InlineData("XAF", true)]
    [InlineData("ABC", false)]
    [InlineData("XXX", false)]
    public void OnlyRealIsoCodes_AreCurrencies(string code, bool real)
    {
        Assert.Equal(real, Currencies.IsIsoCode(code));
    }

    [Theory]
    [InlineData("JPY", 0)]
    [InlineData("EUR", 2)]
    [InlineData("KWD", 3)]
    public void MinorDigits_FollowTheCurrency(string code, int digits)
    {
        Assert.Equal(digits, Currencies.MinorDigits(code));
    }
}
