using System.Collections.Frozen;
using System.Numerics;

namespace Docket.Core.Pipeline.Stages.Analysis;

/// <summary>
/// Names the language of a text from the words it is made of: function words (the strongest sign in
/// running text), the vocabulary of business papers ("Rechnung", "montant", "quantity"), which is all a
/// till receipt, a CSV export or a JSON document has, and letters only some languages write (ß, ç, ñ).
/// A word shared by several languages counts for each in part. Null when the evidence is thin or
/// split: a wrong language is worse than none.
/// </summary>
public static class LanguageGuesser
{
    /// <summary>ISO 639-1 codes, in the bit order of the word table.</summary>
    public static IReadOnlyList<string> Languages { get; } = ["en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "nb", "fi"];

    /// <summary>Evidence needed before naming a language; a receipt's three words prove nothing.</summary>
    public const double MinEvidence = 3;

    /// <summary>The leader must have this much more evidence than the runner-up.</summary>
    public const double MinLead = 1.5;

    private const float LetterEvidence = 0.5f;

    /// <summary>Each known word with the languages it belongs to as bits, in the order of <see cref="Languages"/> (1 English, 2 German, ... 2048 Finnish).</summary>
    private static readonly FrozenDictionary<string, int> WordLanguages = BuildWordTable();

    private static readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> Lookup =
        WordLanguages.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Evidence per language for one text, gathered word by word.</summary>
    public struct Evidence
    {
        private Scores _scores;

        /// <param name="lower">The word lower-cased.</param>
        /// <param name="original">The word as written: "DE" in "USt-IdNr. DE 134..." is a country code, not French "de".</param>
        public void Add(ReadOnlySpan<char> lower, ReadOnlySpan<char> original)
        {
            if (Lookup.TryGetValue(lower, out var languages) && !(original.Length <= 2 && IsAllUpper(original)))
            {
                var share = 1f / BitOperations.PopCount((uint)languages);
                for (var i = 0; i < Scores.Length; i++)
                    if ((languages & (1 << i)) != 0) _scores[i] += share;
            }

            if (!lower.ContainsAnyInRange('\u00C0', '\u024F')) return;
            if (lower.ContainsAny(GermanLetters)) _scores[1] += LetterEvidence;
            if (lower.ContainsAny(FrenchLetters)) _scores[2] += LetterEvidence;
            if (lower.ContainsAny(SpanishLetters)) _scores[3] += LetterEvidence;
            if (lower.ContainsAny(ItalianLetters)) _scores[4] += LetterEvidence;
            if (lower.ContainsAny(PortugueseLetters)) _scores[6] += LetterEvidence;
            if (lower.ContainsAny(PolishLetters)) _scores[7] += LetterEvidence;
            // "å" is Swedish, Danish and Norwegian alike, "æø" Danish and Norwegian: shared evidence, as for a shared word.
            if (lower.Contains('å')) { _scores[8] += LetterEvidence / 3; _scores[9] += LetterEvidence / 3; _scores[10] += LetterEvidence / 3; }
            if (lower.ContainsAny(DanoNorwegianLetters)) { _scores[9] += LetterEvidence / 2; _scores[10] += LetterEvidence / 2; }
        }

        public readonly string? Guess()
        {
            int best = 0, second = -1;
            for (var i = 1; i < Scores.Length; i++)
            {
                if (_scores[i] > _scores[best]) { second = best; best = i; }
                else if (second < 0 || _scores[i] > _scores[second]) second = i;
            }

            return _scores[best] >= MinEvidence && _scores[best] >= MinLead * _scores[second] ? Languages[best] : null;
        }

        private static bool IsAllUpper(ReadOnlySpan<char> word)
        {
            foreach (var c in word)
                if (!char.IsUpper(c)) return false;
            return true;
        }
    }

    [System.Runtime.CompilerServices.InlineArray(Length)]
    private struct Scores
    {
        public const int Length = 12;
        private float _first;
    }

    private static readonly System.Buffers.SearchValues<char> GermanLetters = System.Buffers.SearchValues.Create("äöüß");
    private static readonly System.Buffers.SearchValues<char> FrenchLetters = System.Buffers.SearchValues.Create("éèêëçâîïôûœ");
    private static readonly System.Buffers.SearchValues<char> SpanishLetters = System.Buffers.SearchValues.Create("ñáíóú¿¡");
    private static readonly System.Buffers.SearchValues<char> ItalianLetters = System.Buffers.SearchValues.Create("òì");
    private static readonly System.Buffers.SearchValues<char> PortugueseLetters = System.Buffers.SearchValues.Create("ãõ");
    private static readonly System.Buffers.SearchValues<char> PolishLetters = System.Buffers.SearchValues.Create("ąćęłńśźż");
    private static readonly System.Buffers.SearchValues<char> DanoNorwegianLetters = System.Buffers.SearchValues.Create("æø");

    private static FrozenDictionary<string, int> BuildWordTable()
    {
        var table = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(IEnumerable<string> words, int bit)
        {
            foreach (var word in words) table[word] = table.GetValueOrDefault(word) | bit;
        }

        Add(Stopwords.English, 1);
        Add(Stopwords.German, 2);
        Add(Stopwords.French, 4);
        Add(Split(Spanish), 8);
        Add(Split(Italian), 16);
        Add(Split(Dutch), 32);
        Add(Split(Portuguese), 64);
        Add(Split(Polish), 128);
        Add(Split(Swedish), 256);
        Add(Split(Danish), 512);
        Add(Split(Norwegian), 1024);
        Add(Split(Finnish), 2048);
        Add(Split(SpanishBusiness), 8);
        Add(Split(ItalianBusiness), 16);
        Add(Split(DutchBusiness), 32);
        Add(Split(PortugueseBusiness), 64);
        Add(Split(PolishBusiness), 128);
        Add(Split(SwedishBusiness), 256);
        Add(Split(DanishBusiness), 512);
        Add(Split(NorwegianBusiness), 1024);
        Add(Split(FinnishBusiness), 2048);
        Add(Split(EnglishBusiness), 1);
        Add(Split(GermanBusiness), 2);
        Add(Split(FrenchBusiness), 4);
        return table.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string[] Split(string words) =>
        words.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);

    // Function words of the languages named only when they are clearly there.
    private const string Spanish = """
        el la los las un una unos unas y o de del al en con por para sin sobre entre que como cuando donde
        es son fue ser está están estar hay muy más pero también su sus se le les lo nos nuestro nuestra
        este esta estos estas ese esa eso usted ustedes gracias factura importe fecha cliente
        """;

    private const string Italian = """
        il lo la i gli le un uno una e ed o di del della dei delle al alla ai alle nel nella con per su tra
        fra che come quando dove è sono era essere stato non più ma anche suo sua suoi nostro nostra questo
        questa questi quello quella grazie fattura importo data cliente
        """;

    private const string Dutch = """
        de het een en of van in op met voor door naar bij uit aan om over tot dat die dit deze wat wie waar
        wanneer is zijn was waren wordt worden werd niet geen ook maar nog wel al dan als hun ons onze
        uw jullie bedankt factuur bedrag datum klant
        """;

    private const string Portuguese = """
        o os um uma uns umas e ou de da dos das ao à aos em na nos nas com por pelo pela para sem
        sobre entre que como quando onde é são foi ser está estão estar há muito mais mas também seu sua seus
        não se lhe nós nosso nossa este esta isto esse essa isso obrigado obrigada você
        """;

    private const string Polish = """
        w z na od za po o ze przy dla bez przez nad pod przed między że jak gdy gdzie jest są był była
        być nie tak ale też lub albo czy się ten ta te tego tej który która które jego jej ich nasz nasza
        wasz pan pani dziękujemy prosimy
        """;

    // Danish and Norwegian share most of their function words; the ones listed under each are those the other spells otherwise.
    // Words that are also English ("at", "for", "on", "do") are left out: a receipt's few English words must stay English.
    private const string Swedish = """
        och att det som en ett är på av för med till den inte om har jag vi ni de man var kan ska skall så
        från eller men också vid när hur här där efter utan mellan vår våra er era tack
        """;

    private const string Danish = """
        og det som en et er på af med til den ikke om har jeg vi de man var kan skal så fra eller men
        også ved når hvor der efter uden mellem vores jeres tak venlig hilsen
        """;

    private const string Norwegian = """
        og det som en et er på av med til den ikke om har jeg vi de man var kan skal så fra eller men
        også ved når hvor der etter uten mellom vår våre deres takk vennlig hilsen
        """;

    private const string Finnish = """
        ja ei se että tai kuin mutta myös jos kun niin ole oli ovat olla tämä tuo nämä ne te hän
        minä sinä meidän teidän heidän kanssa ilman mukaan kiitos
        """;

    // What invoices, receipts and their exports are made of, when they have no sentences.
    private const string EnglishBusiness = """
        invoice amount quantity qty price unit description item items subtotal tax due payment paid customer
        number total balance receipt thank thanks bill billing order account statement delivery shipping
        vendor supplier date issued terms discount charges charge services service reference
        """;

    private const string GermanBusiness = """
        rechnung rechnungsnummer rechnungsdatum betrag menge preis einzelpreis gesamtpreis bezeichnung artikel
        summe zwischensumme netto brutto steuer mwst ust zahlung zahlbar kunde kundennummer nummer gesamt
        gesamtbetrag endbetrag lieferung lieferschein bestellung lieferant datum einheit stück stk bankverbindung
        konto leistung leistungen zeitraum fällig gutschrift quittung kasse karte bar rückgeld straße
        bezahlt inkl zzgl beleg danke vielen gute
        """;

    private const string SpanishBusiness = """
        factura importe fecha cliente cantidad precio unitario descripción concepto base imponible iva
        vencimiento pago forma proveedor número albarán pedido recibo ticket efectivo cambio abono
        rectificativa transferencia empresa dirección teléfono
        """;

    private const string ItalianBusiness = """
        fattura importo data cliente quantità prezzo unitario descrizione imponibile iva totale subtotale
        scadenza pagamento fornitore numero ordine ricevuta scontrino contanti resto bonifico codice fiscale
        partita sede via grazie
        """;

    private const string DutchBusiness = """
        factuur factuurnummer factuurdatum bedrag datum klant aantal prijs omschrijving btw totaal subtotaal
        vervaldatum betaling betalen leverancier nummer bestelling bon kassabon contant wisselgeld korting
        creditnota excl incl straat
        """;

    private const string PortugueseBusiness = """
        fatura factura recibo valor data cliente quantidade preço unitário descrição iva
        vencimento pagamento fornecedor número encomenda nif contribuinte dinheiro troco desconto transferência
        obrigado morada
        """;

    private const string PolishBusiness = """
        faktura faktury numer data wystawienia sprzedaży sprzedawca nabywca ilość cena jednostkowa opis brutto
        razem suma kwota termin płatności płatność zapłaty przelew nip paragon gotówka reszta
        wartość stawka podatek korygująca ul
        """;

    private const string SwedishBusiness = """
        faktura fakturanummer fakturadatum belopp datum kund antal pris beskrivning moms summa totalt
        förfallodatum betalning betalningsvillkor leverantör nummer kvitto kontant växel rabatt dagar
        exkl inkl momsreg organisationsnummer bankgiro
        """;

    private const string DanishBusiness = """
        faktura fakturanummer fakturadato beløb dato kunde antal pris beskrivelse moms
        forfaldsdato betaling betalingsbetingelser leverandør nummer kvittering kontant byttepenge rabat dage
        ekskl inkl cvr
        """;

    private const string NorwegianBusiness = """
        faktura fakturanummer fakturadato beløp dato kunde antall mengde pris beskrivelse mva totalt
        forfallsdato betaling betalingsbetingelser leverandør nummer kvittering kontant veksel rabatt dager
        eks inkl nettobeløp enhetspris foretaksregisteret
        """;

    private const string FinnishBusiness = """
        lasku laskun laskunumero laskupäivä päivämäärä eräpäivä asiakas määrä hinta kuvaus alv yhteensä
        veroton verollinen maksu maksuehto toimittaja numero kuitti käteinen vaihtoraha alennus viitenumero
        tilinumero kpl vero välisumma sivu kokonaishinta yksikköhinta maksutapa pankki viite
        """;

    private const string FrenchBusiness = """
        facture montant quantité qté prix désignation article total tva paiement payé client numéro date
        échéance règlement livraison commande fournisseur remise net ht ttc avoir reçu caisse espèces carte
        rue société sarl merci acompte frais réglé
        """;
}
