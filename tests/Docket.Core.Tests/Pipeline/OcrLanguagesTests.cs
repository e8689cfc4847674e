using Docket.Core.Pipeline.Stages.Extraction;

namespace Docket.Core.Tests.Pipeline;

public sealed class OcrLanguagesTests
{
    private static readonly string[] All = new OcrOptions().Languages.Split('+');

    [Theory]
    [InlineData("Rechnung Nr. 2024-17  Datum 03.02.2024  Betrag fallig bis 17.02.2024, vielen Dank", "deu")]
    [InlineData("FACTURE N° 88  Date d'echeance  Total TTC  Merci de votre confiance", "fra")]
    [InlineData("Factuur  Factuurdatum  Omschrijving  Aantal  Totaal  BTW 21%", "nld")]
    [InlineData("Faktura VAT nr 12/2024  Sprzedawca  Nabywca  Razem do zaplaty  Termin platnosci", "pol")]
    [InlineData("Fatura n.o 7  Descricao  Quantidade  Preco  Valor total  Obrigado", "por")]
    [InlineData("INVOICE  Description  Qty  Unit price  Subtotal  Total due  Thank you for your order", "eng")]
    public void Guess_NamesTheModel_OfTextTheEnglishModelReadWithoutAccents(string text, string model)
    {
        Assert.Equal(model, OcrLanguages.Guess([text], All));
    }

    [Fact]
    public void Guess_IsNull_WhenAReceiptHasTooFewWordsToTell()
    {
        Assert.Null(OcrLanguages.Guess(["KOPI O  RM 2.50\nROTI  RM 1.20\nTOTAL  RM 3.70"], All));
    }

    [Fact]
    public void Guess_NamesOnlyAConfiguredModel_SoNorwegianFallsToDanish_WhenOnlyDanishIsThere()
    {
        const string norwegian = "Faktura  Fakturadato  Beskrivelse  Antall  Totalt  mva\nBetaling til konto innen forfallsdato. Takk for handelen og ha en fin dag";

        Assert.Equal("nor", OcrLanguages.Guess([norwegian], [.. All, "nor"]));
        Assert.Equal("dan", OcrLanguages.Guess([norwegian], All));
    }

    [Fact]
    public void Words_AreLowerCasedAndUnaccented_WithoutTheirPunctuation()
    {
        Assert.Equal(["fallig", "belob", "zaplaty"], OcrLanguages.Words("Fällig: (Beløb) Zapłaty"));
    }
}
