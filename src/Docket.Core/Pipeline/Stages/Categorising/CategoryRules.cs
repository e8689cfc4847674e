using System.Text.RegularExpressions;

namespace Docket.Core.Pipeline.Stages.Categorising;

/// <summary>A phrase that speaks for a category, and how loudly.</summary>
public sealed record CategoryRule(string Category, double Weight, Regex Pattern)
{
    /// <summary>A phrase counts at most this often: a long report saying "total" forty times is still not an invoice.</summary>
    public const int MaxHits = 2;
}

/// <summary>
/// The rules of the rules-based categoriser, in English, German and French. They name kinds of
/// documents and the phrases such documents use, never a particular sender or value, so they
/// hold for documents nobody here has seen. The patterns are data: built once, interpreted.
/// </summary>
public static class CategoryRules
{
    private const RegexOptions Options =
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Multiline | RegexOptions.Compiled;

    /// <summary>
    /// What a document calls itself: checked against the title, against short lines near the top
    /// that start with the name ("INVOICE", "Credit note No.: ..."), and against a "type: ..." field
    /// of structured data. A document's own name outweighs everything it says in passing.
    /// </summary>
    public static IReadOnlyList<(string Category, Regex Name)> DocumentNames { get; } =
    [
        (Categories.Invoice, Pattern(@"\b(?:(?:tax |commercial |pro[- ]forma )?invoice|rechnung|facture)\b")),
        (Categories.Receipt, Pattern(@"\b(?:(?:sales |cash |payment )?receipt|quittung|kassenbon|kassenbeleg|beleg(?:-?nr\.?)?|reçu|ticket de caisse)\b")),
        (Categories.CreditNote, Pattern(@"\b(?:credit (?:note|memo)|gutschrift|rechnungskorrektur|stornorechnung|avoir|facture d'avoir|note de crédit)\b")),
        (Categories.Contract, Pattern(@"\b(?:\w*(?:agreement|contract)|\w*vertrag|contrat\b.*|terms (?:and|&) conditions|allgemeine geschäftsbedingungen|conditions générales)\b")),
        (Categories.Letter, Pattern(@"\b(?:letter|brief|lettre|courrier)\b")),
        (Categories.Memo, Pattern(@"\b(?:(?:internal )?memo(?:randum)?|note de service|note interne|aktennotiz|hausmitteilung|interne mitteilung|rundschreiben)\b")),
        (Categories.Report, Pattern(@"\b(?:\w*report|\w*bericht|rapport\b.*|compte[- ]rendu|protokoll)\b")),
        (Categories.Resume, Pattern(@"\b(?:résumé|resume|curriculum vitae|cv|lebenslauf)\b")),
        (Categories.TechnicalSpec, Pattern(@"\b(?:(?:technical |interface |functional |api )?specifications?|spécification\w*|spezifikation|pflichtenheft|lastenheft|design document|architecture (?:document|overview)|api reference|rfc \d+)\b")),
        // Common business papers that are none of the above; naming them keeps a quotation
        // written as a letter, or a delivery note with amounts, from being filed wrongly.
        (Categories.Other, Pattern(@"\b(?:quotation|quote|estimate|angebot|kostenvoranschlag|devis|delivery note|packing (?:slip|list)|lieferschein|bon de livraison|purchase order|bestellung|bon de commande|order confirmation|auftragsbestätigung|confirmation de commande)\b")),
    ];

    public static IReadOnlyList<CategoryRule> Phrases { get; } =
    [
        // Invoice
        Rule(Categories.Invoice, 3, @"\binvoice\s*(?:no\b|number|num\b|nr\b|#|id\b|date)"),
        Rule(Categories.Invoice, 3, @"\brechnungs(?:nummer|nr|datum|betrag|empfänger)|\brechnung\s*nr"),
        Rule(Categories.Invoice, 3, @"\b(?:n°|numéro)\s*(?:de\s*)?facture|\bdate de (?:la )?facture|\bfactur[ée]e? à\b"),
        Rule(Categories.Invoice, 1.5, @"\binvoice\b|\brechnung\b|\bfacture\b"),
        Rule(Categories.Invoice, 2, @"\bbill(?:ed)? to\b|\bsold to\b"),
        Rule(Categories.Invoice, 2, @"\b(?:amount|balance|total) due\b|\bnet à payer\b|\breste à payer\b|\bzu zahlen\b"),
        Rule(Categories.Invoice, 1.5, @"\bdue date\b|\bpayment terms\b|\bfällig(?:keit| am)\b|\bdate d'échéance\b|\béchéance\b|\bzahlbar\b"),
        Rule(Categories.Invoice, 1.5, @"\bsub-?total\b|\bzwischensumme\b|\bnettobetrag\b|\btotal ht\b|\bmontant ht\b|\bsous-total\b"),
        Rule(Categories.Invoice, 1.5, @"\btotal ttc\b|\bgesamtbetrag\b|\bgrand total\b"),
        Rule(Categories.Invoice, 1, @"\bvat\b|\bsales tax\b|\bmwst\b|\bust\.|\btva\b|\b[cs]?gst\b|\bigst\b|\bumsatzsteuer\b"),
        Rule(Categories.Invoice, 1.5, @"\bplease pay\b|\bpayable (?:within|by)\b|\bbitte überweisen\b|\bà régler\b|\bpaiement à \d+"),
        Rule(Categories.Invoice, 1, @"\bunit price\b|\beinzelpreis\b|\bprix unitaire\b|\bpu ht\b|\bqty\b|\bqté\b"),
        Rule(Categories.Invoice, 0.5, @"\btotal\b|\bsumme\b|\biban\b"),

        // Receipt
        Rule(Categories.Receipt, 3, @"\bthank you for (?:your purchase|shopping)|\bthanks for shopping|\bmerci de votre visite|\bvielen dank für ihren einkauf"),
        Rule(Categories.Receipt, 3, @"\breceipt\s*(?:no\b|number|#)|\bbeleg-?nr|\bbon n°|\bticket n°"),
        Rule(Categories.Receipt, 1.5, @"\breceipt\b|\bquittung\b|\bkassenbon\b|\breçu\b"),
        Rule(Categories.Receipt, 1.5, @"\bcash(?:ier)?\b|\bchange due\b|\bbar(?:geld)?\b|\brückgeld\b|\bgegeben\b|\bespèces\b|\brendu\b"),
        Rule(Categories.Receipt, 1.5, @"\b(?:ec|kredit)-?karte\b|\bgirocard\b|\bvisa\b|\bmastercard\b|\bcard (?:payment|ending)|\bcarte bancaire\b|\bcb\b"),
        Rule(Categories.Receipt, 1.5, @"\benth(?:\.|alten)?\s*mwst|\binkl\.\s*mwst|\bincl(?:\.|uding)?\s*vat\b|\bdont tva\b"),
        Rule(Categories.Receipt, 1, @"\bterminal\b|\bkasse\b|\btill\b|\bcaisse\b|\bfiliale\b|\bstore\b"),
        Rule(Categories.Receipt, 0.5, @"\bchange\b|\bsumme\b"),
        Rule(Categories.Receipt, 0.5, @"^.{0,40}\b\d{1,2}:\d{2}(?::\d{2})?\b"),

        // Credit note
        Rule(Categories.CreditNote, 3, @"\bcredit note\b|\bcredit memo\b|\bgutschrift\b|\bnote de crédit\b|\bfacture d'avoir\b"),
        Rule(Categories.CreditNote, 2, @"\btotal credit\b|\bcredited\b|\bapplied to your account\b|\bgutgeschrieben\b|\bremboursé\b"),
        Rule(Categories.CreditNote, 2, @"\b(?:refers to|original|relating to) invoice\b|\bbezug(?:nehmend)? auf (?:die )?rechnung\b|\bfacture d'origine\b"),
        Rule(Categories.CreditNote, 1, @"\bun avoir\b|\bavoir n°"),

        // Contract
        Rule(Categories.Contract, 3, @"\bhereinafter\b|\bwhereas\b|\bin witness whereof\b|\bnachfolgend\b|\bci-après\b|\bentre les soussignés\b"),
        Rule(Categories.Contract, 2, @"\bgoverning law\b|\beffective date\b|\bterm(?:ination)? of (?:this|the) agreement\b|\bthe parties\b|\bdie parteien\b|\bles parties\b"),
        Rule(Categories.Contract, 2, @"\bauftragnehmer\b|\bauftraggeber\b|\bvertragsgegenstand\b|\ble prestataire\b|\ble présent contrat\b"),
        Rule(Categories.Contract, 1.5, @"\bagreement\b|\bcontract\b|\bvertrag\b|\bcontrat\b"),
        Rule(Categories.Contract, 1.5, @"\bterms and conditions\b|\bparty\b|\bparties\b|\bliability\b|\bhaftung\b|\bresponsabilité\b"),
        Rule(Categories.Contract, 1.5, @"^\s*(?:#+\s*)?(?:§\s*\d+|article\s+\d+|artikel\s+\d+|section\s+\d+\s*[-–.:])"),
        Rule(Categories.Contract, 1.5, @"\blaufzeit\b|\bkündigungsfrist\b|\brésiliation\b|\bannulation\b|\btermination\b|\bconfidentiality\b"),
        Rule(Categories.Contract, 2, @"\ben deux exemplaires\b|\bsignature of (?:both )?parties\b|\bsigned on behalf\b"),

        // Letter
        Rule(Categories.Letter, 4, @"^\s*dear\s+\S"),
        Rule(Categories.Letter, 4, @"^\s*sehr geehrte[rn]?\b|^\s*(?:madame|monsieur)(?:,\s*(?:madame|monsieur))?\s*,"),
        Rule(Categories.Letter, 3, @"^\s*(?:yours (?:sincerely|faithfully|truly)|sincerely|(?:kind|best|warm|warmest)?\s*regards)\s*,?\s*$"),
        Rule(Categories.Letter, 3, @"\bmit freundlichen grüßen\b|\bfreundliche grüße\b|\bsalutations distinguées\b|\bveuillez agréer\b|\bprions d'agréer\b|\bcordialement\b"),
        Rule(Categories.Letter, 1.5, @"\bi am writing\b|\bi write to\b|\bwe are writing\b|\bhiermit\b|\bje vous écris\b"),
        Rule(Categories.Letter, 1, @"^\s*(?:re|betreff|objet)\s*:|\benclosed\b|\bci-joint\b|\banbei\b"),
        Rule(Categories.Letter, 1.5, @"^\s*[\p{Lu}][\p{L}\- ]+,\s*(?:(?:den|le)\s+)?\d{1,2}(?:\.|er)?\s*\p{L}+\.?\s+\d{4}\s*$"),

        // Memo
        Rule(Categories.Memo, 3, @"\bmemo(?:randum)?\b|\bnote de service\b|\baktennotiz\b|\binterne mitteilung\b"),
        Rule(Categories.Memo, 1.5, @"^\W{0,4}(?:to|from|subject|cc|an|von|betreff|destinataires?|émetteur|de|à|objet)\W{0,4}\s*:"),
        Rule(Categories.Memo, 2, @"\ball (?:staff|employees|teams?|engineering teams)\b|\ball\w* mitarbeiter|\bensemble du personnel\b|\btout le personnel\b"),

        // Report
        Rule(Categories.Report, 3, @"\bexecutive summary\b|\bthis report\b|\bce rapport\b|\bdieser bericht\b|\bmanagement summary\b"),
        Rule(Categories.Report, 2, @"\bfindings\b|\brecommendations\b|\brecommandations\b|\bempfehlungen\b|\bconstats\b|\bactions correctives\b|\bcorrective actions\b"),
        Rule(Categories.Report, 1.5, @"\breport\b|\bbericht\b|\brapport\b"),
        Rule(Categories.Report, 1.5, @"\bconclusions?\b|\bobservations\b|\bfazit\b|\bergebnisse\b|\bsynthèse\b|\bcauses identifiées\b|\broot cause\b|\bnext steps\b"),
        Rule(Categories.Report, 1, @"\bprepared by\b|\brédigé par\b|\berstellt von\b|\bq[1-4] \d{4}\b|\bsummary\b|\bmesures\b"),

        // Resume
        Rule(Categories.Resume, 3, @"\bcurriculum vitae\b|\blebenslauf\b|\bberufserfahrung\b|\bexpérience professionnelle\b|\bwork experience\b|\bprofessional experience\b"),
        Rule(Categories.Resume, 2, @"^\W*(?:experience|education|skills|ausbildung|kenntnisse|fähigkeiten|formation|compétences|employment history)\W*$"),
        Rule(Categories.Resume, 1.5, @"\bhobbies\b|\binterests\b|\bcentres d'intérêt\b|\binteressen\b|\blanguages\b|\bsprachkenntnisse\b|\blangues\b|\breferences available\b"),
        Rule(Categories.Resume, 1, @"\bgeboren\b|\bdate of birth\b|\bnée? le\b|^\W*(?:seit|since|depuis|\d{2}/)?\s*\d{4}\s*[-–]\s*(?:\d{2}/)?\d{4}\b"),

        // Technical specification
        Rule(Categories.TechnicalSpec, 2, @"\bspecification\b|\bspécification\b|\bspezifikation\b|\brequirements\b|\bexigences\b|\banforderungen\b"),
        Rule(Categories.TechnicalSpec, 1.5, @"\bapi\b|\bendpoints?\b|\bprotocol\b|\bpayload\b|\bschema\b|\binterface\b|\bschnittstelle\b"),
        Rule(Categories.TechnicalSpec, 1.5, @"\barchitecture\b|\bdatabase\b|\blatency\b|\bthroughput\b|\bauthentication\b|\btls\b|\bhttps?\b|\bjson\b|\bmqtt\b"),
        Rule(Categories.TechnicalSpec, 1.5, @"\bversion\s*:?\s*v?\d+(?:\.\d+)+|\bv\d+\.\d+\b|\bstatus\s*:\s*(?:draft|approved|final)\b"),
        Rule(Categories.TechnicalSpec, 1, @"\bshall\b|\bmust support\b|\bconfiguration\b|\bdeployment\b|\bmodule\b|\bservice\b|\bport\b"),

        // Other: kinds of business paper outside the list above
        Rule(Categories.Other, 2, @"\bvalid until\b|\bgültig bis\b|\bvalable jusqu|\bangebotssumme\b|\bangebot\b|\bquotation\b|\bdevis\b"),
        Rule(Categories.Other, 2, @"\bdelivered\s+qty\b|\bqté livrée\b|\bgelieferte menge\b|\breliquat\b|\bbackorder\b|\bdate de livraison\b|\blieferdatum\b|\bdelivery date\b"),
        Rule(Categories.Other, 1.5, @"\bpurchase order\b|\bbestellnummer\b|\bvotre commande\b|\byour order\b|\bihre bestellung\b"),
    ];

    /// <summary>"type: invoice" in structured data (a JSON "object", "document_type" or "kind" field).</summary>
    public static Regex TypeField { get; } =
        new(@"^(?:[\w\[\].]*\.)?(?:document[_ ]?type|doc[_ ]?type|type[_ ]?document|type|object|kind|category)\s*:\s*(?<value>[^\n]+)$", Options);

    private static CategoryRule Rule(string category, double weight, string pattern) => new(category, weight, Pattern(pattern));

    /// <summary>An apostrophe in a pattern also matches the typographic one (’) that most French text uses.</summary>
    private static Regex Pattern(string pattern) => new(pattern.Replace("'", "['’]"), Options);
}
