using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>
/// Which of the configured tesseract models a page needs, from the words a first pass with the first model (English)
/// read. Function words and the words of invoices and receipts, as <see cref="Analysis.LanguageGuesser"/> scores them,
/// but of its own: that guesser knows six languages and leans on letters (ß, ç, ñ) that the English model does not
/// write, while this one has to tell the ten OCR languages apart from a text read without their accents, so its words
/// are written unaccented ("fällig" as "fallig") and so is what it reads. A word several languages share counts for
/// each in part. Null when the evidence is thin or split: the first pass is then kept as it is.
/// </summary>
public static class OcrLanguages
{
    /// <summary>Evidence needed before naming a language; a receipt's three words prove nothing.</summary>
    public const double MinEvidence = 3;

    /// <summary>The leader must have this much more evidence than the runner-up.</summary>
    public const double MinLead = 1.5;

    /// <summary>
    /// Only words the first pass is this sure of (tesseract's 0-100) are evidence: a noisy page read as "ao RR de da
    /// do" would otherwise be Portuguese.
    /// </summary>
    public const double MinConfidence = 80;

    /// <summary>The languages a document may be in, by tesseract model; only the configured ones compete.</summary>
    private static readonly (string Model, string Words)[] Vocabulary =
    [
        ("eng", """
            the and of to for in on with from by at is are this that your our you we please invoice total amount date due
            payment tax subtotal quantity qty price description item items balance paid number bill customer thank thanks
            receipt order terms unit rate hours cash change
            """),
        ("deu", """
            der die das und oder mit von zu den dem des ein eine ist sind fur auf im bei nicht sie wir ihr ihre unsere
            rechnung rechnungsnummer rechnungsdatum datum betrag menge preis einzelpreis gesamt gesamtbetrag summe
            zwischensumme netto brutto steuer mwst ust zahlbar zahlung kunde kundennummer lieferung leistung
            leistungszeitraum bitte vielen dank fallig stunden bezeichnung
            """),
        ("fra", """
            le la les et de des du un une pour par avec sur dans est sont vous nous votre notre facture montant date total
            tva prix quantite designation paiement echeance client numero reglement remise merci ht ttc sous
            """),
        ("nld", """
            de het een en van voor met op aan bij is zijn niet uw onze wij factuur factuurnummer factuurdatum datum bedrag
            totaal btw prijs aantal omschrijving betaling vervaldatum klant subtotaal bedankt excl incl uren
            """),
        ("spa", """
            el la los las de del para por con en es son su sus nuestro factura fecha importe total iva precio cantidad
            descripcion pago vencimiento cliente numero subtotal gracias base imponible
            """),
        ("ita", """
            il lo la gli le di del della dei per con su in sono non suo nostro fattura data importo totale iva prezzo
            quantita descrizione pagamento scadenza cliente numero imponibile grazie
            """),
        ("por", """
            os as de do da dos das para por com em no na um uma seu sua fatura data valor total iva preco quantidade
            descricao pagamento vencimento cliente numero obrigado contribuinte
            """),
        ("pol", """
            na do od za dla nie jest sie faktura data sprzedawca nabywca razem kwota netto brutto cena ilosc nazwa
            platnosci termin zaplaty sprzedazy numer wartosc podatek suma dziekujemy
            """),
        ("swe", """
            och att av for med pa som till det den en ett ar inte faktura fakturanummer fakturadatum datum belopp summa
            moms pris antal beskrivning betalning forfallodatum kund totalt betala tack
            """),
        ("dan", """
            og at af for med pa som til det den en et er ikke faktura fakturanummer fakturadato dato belob alt moms pris
            antal beskrivelse betaling forfaldsdato kunde total tak
            """),
        ("nor", """
            og at av for med pa som til det den en et er ikke faktura fakturanummer fakturadato dato belop sum mva pris
            antall beskrivelse betaling forfallsdato kunde totalt takk
            """),
        ("fin", """
            ja on ei se etta lasku laskun numero paivamaara summa yhteensa alv hinta maara kuvaus maksu erapaiva asiakas
            kiitos
            """),
    ];

    private static readonly FrozenDictionary<string, string[]> ModelsByWord = Vocabulary
        .SelectMany(v => v.Words.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Select(w => (Word: w, v.Model)))
        .GroupBy(p => p.Word, StringComparer.Ordinal)
        .ToFrozenDictionary(g => g.Key, g => g.Select(p => p.Model).Distinct().ToArray(), StringComparer.Ordinal);

    /// <summary>
    /// The one configured model the text reads as, or null. <paramref name="configured"/> are the models in
    /// <see cref="OcrOptions.Languages"/>; a language without its model configured cannot be chosen, so a Norwegian
    /// page where only Danish is configured is scored as Danish, the closest there is.
    /// </summary>
    public static string? Guess(IEnumerable<string> pages, IReadOnlyCollection<string> configured)
    {
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var page in pages)
            foreach (var word in Words(page))
            {
                // One letter is what a page read as noise is made of ("a o e"), and it made such a page Portuguese.
                if (word.Length < 2 || !ModelsByWord.TryGetValue(word, out var models)) continue;
                var candidates = models.Where(configured.Contains).ToArray();
                foreach (var model in candidates) scores[model] = scores.GetValueOrDefault(model) + 1.0 / candidates.Length;
            }

        var ranked = scores.OrderByDescending(s => s.Value).ToArray();
        if (ranked.Length == 0 || ranked[0].Value < MinEvidence) return null;
        return ranked.Length == 1 || ranked[0].Value >= MinLead * ranked[1].Value ? ranked[0].Key : null;
    }

    /// <summary>Lower-cased words without their accents and the punctuation around them: "Fällig:" is "fallig".</summary>
    public static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (char.IsLetter(c))
            {
                word.Append(char.ToLowerInvariant(Fold(c)));
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
        }
        if (word.Length > 0) yield return word.ToString();
    }

    /// <summary>The letters decomposition leaves alone (ł, ø, ß), as the English model tends to read them.</summary>
    private static char Fold(char c) => c switch
    {
        'ł' or 'Ł' => 'l',
        'ø' or 'Ø' => 'o',
        'æ' or 'Æ' => 'a',
        'ß' => 's',
        _ => c,
    };
}
