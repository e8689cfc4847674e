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
    public static IReadOnlyList<string> Languages { get; } = ["en", "de", "fr", "es", "it", "nl"];

    /// <summary>Evidence needed before naming a language; a receipt's three words prove nothing.</summary>
    public const double MinEvidence = 3;

    /// <summary>The leader must have this much more evidence than the runner-up.</summary>
    public const double MinLead = 1.5;

    private const float LetterEvidence = 0.5f;

    /// <summary>Each known word with the languages it belongs to as bits (1 English, 2 German, 4 French, 8 Spanish, 16 Italian, 32 Dutch).</summary>
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
        public const int Length = 6;
        private float _first;
    }

    private static readonly System.Buffers.SearchValues<char> GermanLetters = System.Buffers.SearchValues.Create("äöüß");
    private static readonly System.Buffers.SearchValues<char> FrenchLetters = System.Buffers.SearchValues.Create("éèêëçâîïôûœ");
    private static readonly System.Buffers.SearchValues<char> SpanishLetters = System.Buffers.SearchValues.Create("ñáíóú¿¡");
    private static readonly System.Buffers.SearchValues<char> ItalianLetters = System.Buffers.SearchValues.Create("òì");

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

    private const string FrenchBusiness = """
        facture montant quantité qté prix désignation article total tva paiement payé client numéro date
        échéance règlement livraison commande fournisseur remise net ht ttc avoir reçu caisse espèces carte
        rue société sarl merci acompte frais réglé
        """;
}
