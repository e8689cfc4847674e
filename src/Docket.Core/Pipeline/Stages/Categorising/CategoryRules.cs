namespace Docket.Core.Pipeline.Stages.Categorising;

/// <summary>Phrases that speak for a category, and how loudly. Syntax: <see cref="PhraseTable"/>.</summary>
public sealed record CategoryRule(string Category, double Weight, string Phrases)
{
    /// <summary>A rule counts at most this often: a long report saying "total" forty times is still not an invoice.</summary>
    public const int MaxHits = 2;
}

/// <summary>
/// The rules of the rules-based categoriser, in English, German and French, and (fewer, for the kinds of
/// business paper that matter most) Dutch, Spanish, Italian, Portuguese, Polish, the Nordic languages and Finnish. They name kinds of
/// documents and the wording such documents use, never a particular sender, file or value, so they
/// hold for documents nobody here has seen. The phrases are data, compiled once into two tables.
/// </summary>
public static class CategoryRules
{
    /// <summary>
    /// What a document calls itself: matched anywhere in its title, at the start of short unlabelled
    /// lines near its top ("INVOICE", "Credit note No. 5"), and in a "type: ..." field of structured
    /// data. A document's own name outweighs everything it says in passing.
    /// </summary>
    public static IReadOnlyList<(string Category, string Phrases)> DocumentNames { get; } =
    [
        (Categories.Invoice, "invoice | tax invoice | commercial invoice | pro forma invoice | proforma invoice | final invoice | invoice summary"
            + " | your bill | your {w} bill | {w} bill$ | rechnung | *rechnung | facture | facture n° | note d'honoraires"
            + " | factuur | btw factuur | factura | factura simplificada | fattura | fattura elettronica | fatura | fatura recibo"
            + " | faktura | faktura vat | rachunek | lasku"),
        (Categories.Receipt, "receipt | sales receipt | cash receipt | payment receipt | quittung | kassenbon | kassenbeleg | kassenzettel"
            + " | zahlungsbeleg | reçu | ticket de caisse | proof of purchase | payment received | payment confirmation | zahlungsbestätigung"
            + " | cash sale | cash bill | official receipt | kassabon | kassaticket | kwitantie | recibo | ticket de compra | ricevuta"
            + " | scontrino | scontrino fiscale | paragon | paragon fiskalny | kvitto | kvittering | kuitti"),
        (Categories.CreditNote, "credit note | credit memo | credit notice | gutschrift | rechnungskorrektur | stornorechnung | avoir"
            + " | facture d'avoir | note de crédit | creditnota | creditfactuur | nota de crédito | factura rectificativa | factura de abono | nota di credito"
            + " | faktura korygująca | korekta faktury | nota kredytowa | kreditfaktura | kreditnota | hyvityslasku"),
        (Categories.Contract, "*agreement | *contract | *vertrag | contrat | terms and conditions | terms & conditions | lease"
            + " | allgemeine geschäftsbedingungen | conditions générales | bail | convention | avenant | addendum | statement of work"),
        (Categories.Letter, "letter | cover letter | brief | anschreiben | lettre | courrier"),
        (Categories.Memo, "memo | memorandum | internal memo | internal memorandum | note de service | note interne | aktennotiz"
            + " | hausmitteilung | interne mitteilung | rundschreiben | circulaire | staff notice | notice to all staff"),
        (Categories.Report, "*report | *bericht | rapport | compte rendu | protokoll | *protokoll | procès verbal | minutes | review | audit"
            + " | assessment | analysis | auswertung | bilan | étude | survey"),
        (Categories.Resume, "resume | curriculum vitae | cv | lebenslauf"),
        (Categories.TechnicalSpec, "specification | specifications | *spezifikation | spécification* | technical design | design document"
            + " | architecture document | architecture overview | api reference | api documentation | rfc {n} | pflichtenheft | lastenheft"
            + " | cahier des charges | datasheet | data sheet | datenblatt | fiche technique | requirements document | software requirements"
            + " | system requirements | interface description | schnittstellenbeschreibung | technical documentation"),
        // Common business papers that are none of the above; naming them keeps a quotation written
        // as a letter, or a delivery note with amounts, from being filed wrongly.
        (Categories.Other, "quotation | quote | estimate | angebot | kostenvoranschlag | devis | delivery note | packing slip | packing list"
            + " | lieferschein | bon de livraison | purchase order | bestellung | bon de commande | order confirmation | auftragsbestätigung"
            + " | confirmation de commande | statement of account | account statement | customer statement | kontoauszug | relevé de compte"
            + " | bill of lading | frachtbrief | lettre de voiture"),
    ];

    public static IReadOnlyList<CategoryRule> Phrases { get; } =
    [
        // Invoice
        new(Categories.Invoice, 3, "invoice no | invoice number | invoice num | invoice nr | invoice # | invoice id | invoice date | invoice ref"
            + " | rechnungsnummer | rechnungsnr | rechnungsdatum | rechnungsbetrag | rechnungsempfänger | rechnungsanschrift"
            + " | rechnungsadresse | rechnungsstellung | rechnung nr | rechnung {n} | n° de facture | n° facture | numéro de facture | date de facture | date de la facture"
            + " | facture n° | facturé à | facturée à | facture {n}"),
        new(Categories.Invoice, 1.5, "invoice | invoiced | rechnung | facture"),
        new(Categories.Invoice, 2, "bill to | billed to | sold to | invoice to | rechnungsempfänger | client facturé | adresse de facturation"),
        new(Categories.Invoice, 2, "amount due | balance due | total due | amount to pay | amount payable | total to pay | net à payer | reste à payer"
            + " | montant à payer | zu zahlen | zahlbetrag | endbetrag | rechnungsbetrag"),
        new(Categories.Invoice, 1.5, "due date | payment due | payment terms | terms net | net {n} | fällig | fälligkeit* | zahlungsziel | zahlbar"
            + " | date d'échéance | échéance | conditions de paiement | conditions de règlement | billing period | leistungszeitraum | leistungsdatum"
            + " | date de prestation | période de facturation"),
        new(Categories.Invoice, 1.5, "subtotal | sub total | zwischensumme | nettobetrag | summe netto | total ht | montant ht | sous total"),
        new(Categories.Invoice, 1.5, "total ttc | gesamtbetrag | grand total | bruttobetrag | montant ttc"),
        new(Categories.Invoice, 1, "vat | sales tax | mwst | ust | tva | gst | cgst | sgst | igst | umsatzsteuer | vat reg | tax id"),
        new(Categories.Invoice, 1.5, "please pay | payable within | payable by | bitte überweisen | ohne abzug | à régler | paiement à {n} | pay by"
            + " | please remit | remit to | payment by bank transfer | overdue interest | pénalités de retard | indemnité forfaitaire"),
        new(Categories.Invoice, 1, "unit price | einzelpreis | prix unitaire | pu ht | p u ht | qty | qté | quantity | menge | quantité"),
        new(Categories.Invoice, 0.5, "total | summe | iban | bic | swift | sort code | direct debit | lastschrift | prélèvement"),

        // Invoice, in the other languages of the EU and the Nordics: the same kinds of wording as above.
        new(Categories.Invoice, 3, "factuurnummer | factuurnr | factuur nr | factuurdatum | factuur {n} | número de factura | nº factura | nº de factura"
            + " | n º factura | factura nº | factura n | factura {n} | fecha de factura | fecha factura | fecha de emisión | numero fattura | numero della fattura"
            + " | n fattura | fattura n | fattura nº | fattura {n} | data fattura | data della fattura | número da fatura | número de fatura | fatura nº"
            + " | fatura n | data da fatura | data de emissão | numer faktury | nr faktury | faktura nr | faktura vat nr | data wystawienia"
            + " | fakturanummer | fakturanr | faktura nr | fakturadatum | fakturadato | fakturadag | laskun numero | laskunumero | laskun päivämäärä"
            + " | laskupäivä | laskun päiväys"),
        new(Categories.Invoice, 1.5, "factuur | gefactureerd | factura | facturado | fattura | fatturato | fatura | faturado | faktura | lasku"),
        new(Categories.Invoice, 2, "factuuradres | gefactureerd aan | facturar a | facturado a | datos de facturación | fatturare a | intestatario"
            + " | faturar a | nabywca | sprzedawca | fakturaadress | faktureringsadresse | fakturaadresse | laskutusosoite"),
        new(Categories.Invoice, 2, "te betalen | totaal te betalen | total a pagar | importe a pagar | totale da pagare | netto a pagare | total a pagar"
            + " | valor a pagar | do zapłaty | razem do zapłaty | att betala | summa att betala | at betale | beløb at betale | å betale"
            + " | totalt å betale | maksettava | maksettava yhteensä"),
        new(Categories.Invoice, 1.5, "vervaldatum | vervaldag | betalingstermijn | betalingsvoorwaarden | fecha de vencimiento | vencimiento | forma de pago"
            + " | scadenza | data di scadenza | termini di pagamento | modalità di pagamento | data de vencimento | vencimento | condições de pagamento"
            + " | termin płatności | sposób płatności | forma płatności | förfallodatum | förfallodag | betalningsvillkor | forfaldsdato"
            + " | betalingsbetingelser | betalingsfrist | forfallsdato | forfallsdag | eräpäivä | maksuehto | maksuehdot"),
        new(Categories.Invoice, 1.5, "subtotaal | totaal excl | totaal exclusief | base imponible | imponibile | totale imponibile | base tributável"
            + " | valor sem iva | suma częściowa | wartość netto | razem netto | delsumma | summa exkl moms | nettobelopp | nettobeløb"
            + " | beløb ekskl moms | i alt ekskl moms | nettobeløp | sum eks mva | delsum | välisumma | veroton yhteensä | yhteensä ilman alv"),
        new(Categories.Invoice, 1.5, "totaal incl | totaalbedrag | importe total | totale fattura | totale documento | valor total | total da fatura"
            + " | wartość brutto | razem brutto | totalbelopp | total inkl moms | i alt inkl moms | totalbeløb | totalbeløp | sum inkl mva"
            + " | yhteensä sis alv | verollinen yhteensä"),
        new(Categories.Invoice, 1, "btw | iva | moms | mva | alv | ptu | btw nummer | btw nr | nif | cif | partita iva | p iva | codice fiscale | nip"
            + " | kvk | cvr | momsregistreringsnummer | org nr | organisationsnummer | foretaksregisteret | y tunnus"),
        new(Categories.Invoice, 1, "eenheidsprijs | aantal | precio unitario | cantidad | prezzo unitario | quantità | preço unitário | quantidade"
            + " | cena jednostkowa | cena netto | ilość | à pris | á pris | antal | enhedspris | enhetspris | antall | yksikköhinta | määrä"),
        new(Categories.Invoice, 1.5, "gelieve te betalen | gelieve het bedrag | binnen {n} dagen | dentro de {n} días | entro {n} giorni | no prazo de {n} dias"
            + " | w terminie {n} dni | {n} dni | inom {n} dagar | {n} dagar netto | netto {n} dage | {n} dage netto | {n} dager netto | netto {n} dager"
            + " | {n} päivää netto | viitenumero | bankgiro | plusgiro | ocr nummer | kid nummer | kid nr"),

        // Receipt
        new(Categories.Receipt, 3, "thank you for your purchase | thank you for shopping | thanks for shopping | thank you for your visit"
            + " | merci de votre visite | merci pour votre achat | vielen dank für ihren einkauf | vielen dank für ihren besuch"
            + " | danke für ihren einkauf | see you again | come again | à bientôt | bis zum nächsten mal | auf wiedersehen"),
        new(Categories.Receipt, 3, "receipt no | receipt number | receipt # | beleg nr | belegnummer | ^beleg {n} | bon nr | ^bon {n} | bon n° | ticket n°"
            + " | transaction id | transaction no | trans no | proof of purchase | kaufbeleg | preuve d'achat"),
        new(Categories.Receipt, 1.5, "receipt | quittung | kassenbon | reçu"),
        new(Categories.Receipt, 1.5, "cash | cashier | change due | bar | bargeld | rückgeld | gegeben | espèces | rendu | rendu monnaie"),
        new(Categories.Receipt, 1.5, "ec karte | eckarte | kreditkarte | girocard | visa | mastercard | amex | maestro | contactless | kontaktlos"
            + " | sans contact | card payment | card ending | ending in | carte bancaire | cb | paid by card | charged to | apple pay | google pay"
            + " | twint | paypal | postfinance card"),
        new(Categories.Receipt, 1.5, "enth mwst | enthaltene mwst | inkl mwst | incl vat | including vat | includes vat | vat included | dont tva"
            + " | tva incluse | prices include"),
        new(Categories.Receipt, 1, "terminal | kasse | till | caisse | filiale | store | shop | table {n} | covers | server: | cashier: | kassierer*"
            + " | bedient* | tip | gratuity | trinkgeld | pourboire | fare"),
        new(Categories.Receipt, 1, "paid | bezahlt | payé | payée | payment received | zahlung erhalten | paiement reçu"),
        new(Categories.Receipt, 1, "exchange | return within | returns are accepted | umtausch | retour | échange"),
        new(Categories.Receipt, 0.5, "{t}"),

        // Receipt, in the other languages: a till's thanks, its number, cash and change.
        new(Categories.Receipt, 3, "bedankt voor uw aankoop | bedankt en tot ziens | tot ziens | gracias por su compra | gracias por su visita"
            + " | grazie per l'acquisto | grazie e arrivederci | arrivederci | obrigado pela sua compra | obrigado pela preferência"
            + " | dziękujemy za zakupy | zapraszamy ponownie | tack för ditt köp | tack för besöket | välkommen åter | tak for dit køb"
            + " | tak for besøget | på gensyn | takk for handelen | velkommen tilbake | velkommen igjen | kiitos käynnistä | tervetuloa uudelleen"
            + " | terima kasih | thank you please come again | goods sold are not returnable | goods sold are not refundable"),
        new(Categories.Receipt, 3, "bonnummer | bon nr | ticket nº | nº de ticket | nº ticket | número de ticket | scontrino n | nr paragonu | paragon nr"
            + " | kvittonummer | kvitto nr | kvitteringsnummer | kvittering nr | kuittinumero | kuitin numero | cash bill no | bill no | receipt no"),
        new(Categories.Receipt, 1.5, "kassabon | kwitantie | recibo | ricevuta | scontrino | paragon | kvitto | kvittering | kuitti"),
        new(Categories.Receipt, 1.5, "contant | wisselgeld | efectivo | cambio | contanti | resto | dinheiro | troco | gotówka | reszta | kontant"
            + " | växel | växelpengar | byttepenge | veksel | vekslepenger | käteinen | vaihtoraha | tunai | baki | tendered | rounding | rounding adj"),
        new(Categories.Receipt, 1.5, "btw inbegrepen | incl btw | iva incluido | iva incluida | iva inclusa | iva incluído | w tym vat | inkl moms"
            + " | heraf moms | moms udgør | inkl mva | herav mva | sis alv | total incl gst | gst included | inclusive gst | incl gst | sst included"),
        // Change handed back is given only at a till: a slip that prints it is a receipt, even one headed "TAX INVOICE".
        new(Categories.Receipt, 3, "^change {n} | ^change {w} {n} | ^change due {n} | ^change due {w} {n} | ^cash tendered {n} | ^tendered {n}"
            + " | ^baki {n} | ^wechselgeld {n} | ^rückgeld {n} | ^rendu {n} | ^rendu monnaie {n} | ^wisselgeld {n} | ^cambio {n} | ^resto {n}"
            + " | ^troco {n} | ^reszta {n} | ^växel {n} | ^byttepenge {n} | ^veksel {n} | ^vaihtoraha {n}"),
        new(Categories.Receipt, 1, "kassa | kassière | caja | cajero | cassa | cassiere | caixa | operador | kasjer | kassör | kassør | kassa"
            + " | myyjä | pos | counter | cashier no"),

        // Credit note
        new(Categories.CreditNote, 3, "credit note | credit memo | gutschrift | note de crédit | facture d'avoir | un avoir | avoir n° | avoir no"
            + " | avoir numéro | numéro d'avoir | n° d'avoir | gutschrift nr | gutschriftsnummer | gutschriftsbetrag | montant de l'avoir"),
        new(Categories.CreditNote, 2, "total credit | credit total | credited | credit amount | applied to your account | gutgeschrieben"
            + " | schreiben wir ihnen | wir schreiben ihnen | gutschreiben | positionen gut | rechnungskorrektur | remboursé | sera remboursé | will be refunded | refunded | refund | rückerstattung"
            + " | erstattet | erstatten | déduit | deducted | verrechnet | offset against | storno*"),
        new(Categories.CreditNote, 2, "refers to invoice | original invoice | relating to invoice | against invoice | credit against"
            + " | bezug auf rechnung | bezug auf die rechnung | bezugnehmend auf | zu rechnung | zur rechnung | facture d'origine"
            + " | facture concernée | facture initiale | sur facture | returned goods | retoure | warenrücksendung | marchandise retournée"),

        // Credit note, in the other languages: its name in running text, and the invoice it corrects.
        new(Categories.CreditNote, 3, "factura de abono | factura rectificativa | nota de crédito | nota di credito | creditnota | creditfactuur"
            + " | kreditnota | kreditfaktura | hyvityslasku | faktura korygująca | korekta faktury | nota kredytowa"),
        new(Categories.CreditNote, 2, "factura rectificada | factura original | fattura originale | fattura di riferimento | fatura original"
            + " | oorspronkelijke factuur | originele factuur | faktury korygowanej | dotyczy faktury | ursprunglig faktura | oprindelig faktura"
            + " | opprinnelig faktura | alkuperäinen lasku | hyvitys | gecrediteerd | abonado | accreditato | creditado | krediteret | kreditert | krediterad"),

        // Contract
        new(Categories.Contract, 3, "hereinafter | whereas | in witness whereof | nachfolgend | im folgenden | ci après | entre les soussignés"
            + " | by and between | entered into | made between | is made on | conclu entre | wird folgender vertrag | schließen folgenden"),
        new(Categories.Contract, 2, "governing law | applicable law | jurisdiction | gerichtsstand | effective date | term of this agreement"
            + " | termination of this agreement | the parties | die parteien | les parties | vertragsparteien | the contractor | the client shall"
            + " | the tenant | the landlord | le bailleur | le preneur | vermieter | mieter | loi applicable | tribunal compétent"),
        new(Categories.Contract, 2, "auftragnehmer | auftraggeber | vertragsgegenstand | vertragslaufzeit | le prestataire | le présent contrat"
            + " | this agreement | dieser vertrag | dieses vertrages | des vertrages | le contrat | du contrat"),
        new(Categories.Contract, 1.5, "agreement | contract | vertrag | contrat | clause | klausel"),
        new(Categories.Contract, 1.5, "terms and conditions | party | parties | liability | haftung | responsabilité | indemnify | obligations"
            + " | obligation | warranty | gewährleistung | garantie | force majeure | höhere gewalt"),
        new(Categories.Contract, 1.5, "^§ {n} | ^article {n} | ^artikel {n} | ^section {n} | ^clause {n} | ^art {n}"),
        new(Categories.Contract, 1.5, "laufzeit | kündigungsfrist | kündigung | résiliation | annulation | termination | terminate | confidentiality"
            + " | confidential information | vertraulichkeit | confidentialité | durée | duration | dauer | shall | schriftform"),
        new(Categories.Contract, 2, "en deux exemplaires | signature of both parties | signed on behalf | signed for | signed by | für den auftraggeber"
            + " | für den auftragnehmer | fait à | lu et approuvé"),
        new(Categories.Contract, 1, "signature | signatures | unterschrift | unterschriften | signed | unterzeichnet | signé"),

        // Letter
        new(Categories.Letter, 4, "^dear | ^to whom it may concern | ^sehr geehrte | ^sehr geehrter | ^sehr geehrten | ^liebe | ^lieber"
            + " | ^madame, | ^monsieur, | ^madame monsieur | ^madame, monsieur, | ^messieurs, | ^chère | ^cher"),
        new(Categories.Letter, 3, "^yours sincerely | ^yours faithfully | ^yours truly | ^sincerely | ^kind regards | ^best regards | ^warm regards"
            + " | ^warmest regards | ^regards$ | ^with kind regards | ^with best regards | ^with best wishes | ^best wishes"
            + " | mit freundlichen grüßen | freundliche grüße | mit besten grüßen | hochachtungsvoll | salutations distinguées"
            + " | veuillez agréer | prions d'agréer | vous prie d'agréer | cordialement | bien cordialement | sentiments distingués"),
        new(Categories.Letter, 1.5, "i am writing | i write to | we are writing | we write to | hiermit | je vous écris | nous vous écrivons"
            + " | i am pleased to | we are pleased to | i would be grateful | we would be grateful | please do not hesitate | n'hésitez pas"
            + " | zögern sie nicht | je vous remercie | nous vous remercions | thank you for your letter | ihr schreiben | votre courrier"
            + " | your letter | in reply to | in response to | suite à votre | bezugnehmend auf ihr | dans l'attente"),
        new(Categories.Letter, 1, "^re: | ^betreff: | ^objet: | enclosed | please find enclosed | ci joint | anbei | anlage | pièce jointe"),
        new(Categories.Letter, 2, "payment reminder | friendly reminder | second reminder | final reminder | zahlungserinnerung | mahnung"
            + " | letzte mahnung | relance | rappel de paiement | lettre de relance | premier rappel | dernier rappel"
            + " | if you have already | sollten sie die zahlung bereits | si vous avez déjà"),

        // Memo
        new(Categories.Memo, 3, "memo | memorandum | note de service | note interne | aktennotiz | interne mitteilung | hausmitteilung"
            + " | rundschreiben | circulaire"),
        new(Categories.Memo, 1.5, "^to: | ^from: | ^subject: | ^cc: | ^an: | ^von: | ^betreff: | ^de: | ^à: | ^objet: | ^destinataire:"
            + " | ^destinataires: | ^émetteur: | ^expéditeur: | ^verteiler: | ^re:"),
        new(Categories.Memo, 2, "all staff | all employees | all teams | all managers | department heads | heads of department | team leads"
            + " | alle mitarbeiter* | alle beschäftigten | alle kolleg* | liebe kolleginnen | liebe kollegen | ensemble du personnel"
            + " | tout le personnel | tous les collaborateurs | responsables de service | chers collègues | dear colleagues | dear all"
            + " | hi all | hi team | hello all | hello team"),
        new(Categories.Memo, 1, "please pass this on | effective immediately | with effect from | ab sofort | mit wirkung | à compter du"
            + " | with immediate effect | please note | bitte beachten | merci de | all staff must | are reminded"),

        // Report
        new(Categories.Report, 3, "executive summary | this report | ce rapport | le présent rapport | dieser bericht | management summary"
            + " | zusammenfassung | synthèse | résumé exécutif"),
        new(Categories.Report, 2, "findings | recommendations | recommandations | empfehlungen | constats | actions correctives | corrective actions"
            + " | key figures | kennzahlen | chiffres clés | faits marquants | highlights | key findings | methodology | méthodologie | methodik"
            + " | festgestellte mängel | bewertung | évaluation | assessment"),
        new(Categories.Report, 1.5, "report | bericht | rapport | review | analysis | analyse | auswertung"),
        new(Categories.Report, 1.5, "conclusion | conclusions | observations | fazit | ergebnis | ergebnisse | résultats | results | root cause"
            + " | causes identifiées | next steps | perspectives | ausblick | outlook | overview | übersicht | vue d'ensemble"),
        new(Categories.Report, 1, "prepared by | rédigé par | erstellt von | q1 {n} | q2 {n} | q3 {n} | q4 {n} | quarter | quartal | trimestre"
            + " | semestre | halbjahr | compared with | compared to | year on year | im vergleich | gegenüber dem vorjahr | par rapport à"
            + " | increase | decrease | hausse | baisse | anstieg | rückgang | trend | tendance | summary | mesures | maßnahmen"),

        // Resume
        new(Categories.Resume, 3, "curriculum vitae | lebenslauf | berufserfahrung | beruflicher werdegang | expérience professionnelle"
            + " | expériences professionnelles | parcours professionnel | work experience | professional experience | employment history"
            + " | years of experience | years' experience | ans d'expérience | jahre berufserfahrung"),
        new(Categories.Resume, 2, "^experience$ | ^education$ | ^skills$ | ^ausbildung$ | ^kenntnisse$ | ^fähigkeiten$ | ^formation$"
            + " | ^compétences$ | ^profile$ | ^profil$ | ^qualifications$ | ^certifications$ | ^werdegang$ | ^parcours$ | ^diplômes$"
            + " | ^persönliche daten$ | ^personal details$ | ^languages$ | ^langues$ | ^sprachen$ | ^sprachkenntnisse$ | ^informatique$"
            + " | ^it kenntnisse$ | ^key skills$ | ^career history$ | ^references$ | ^références$ | ^hobbies$ | ^interests$"
            + " | ^centres d'intérêt$ | ^interessen$ | ^formation et diplômes$ | ^schulbildung$ | ^studium$"),
        new(Categories.Resume, 1.5, "hobbies | interests | centres d'intérêt | interessen | sprachkenntnisse | references available | native speaker"
            + " | muttersprache | langue maternelle | fluent | fließend | courant | verhandlungssicher | grundkenntnisse | notions"),
        new(Categories.Resume, 1, "geboren | geburtsdatum | date of birth | né le | née le | nationality | nationalité | staatsangehörigkeit"
            + " | {n} present | {n} heute | {n} aujourd'hui | {n} today | {n} now | {n} to date | {n} bis heute | {n} current"),

        // Technical specification
        new(Categories.TechnicalSpec, 2, "specification | spécification | spezifikation | requirements | exigences | anforderungen"
            + " | functional requirements | non functional requirements | nichtfunktionale anforderungen | exigences fonctionnelles"
            + " | exigences techniques"),
        new(Categories.TechnicalSpec, 1.5, "api | endpoint | endpoints | protocol | protokoll | payload | schema | interface | interfaces"
            + " | schnittstelle | schnittstellen | format | xml | csv | grpc | sdk"),
        new(Categories.TechnicalSpec, 1.5, "architecture | database | datenbank | base de données | latency | latenz | latence | throughput"
            + " | authentication | authentifizierung | authentification | tls | https | http | json | mqtt | oauth | encryption"
            + " | verschlüsselung | chiffrement | server | serveur | percentile | sla | uptime | availability | verfügbarkeit | disponibilité"),
        new(Categories.TechnicalSpec, 1.5, "version {n} | revision {n} | rev {n} | status: draft | status: approved | status: final | stand: | scope"
            + " | geltungsbereich | périmètre | open questions | offene punkte | glossary | glossar | glossaire"),
        new(Categories.TechnicalSpec, 1, "shall | must support | must | muss | doit | configuration | konfiguration | deployment | module | service"
            + " | port | system | système | das system | le système | the system | component | komponente | composant"),

        // Other: kinds of business paper outside the list above
        new(Categories.Other, 2, "valid until | valid for {n} | gültig bis | gültig für | valable jusqu | valable {n} | offer valid | quote is valid"
            + " | this quote | this quotation | dieses angebot | cette offre | notre offre | our offer | ce devis | angebotssumme | angebot"
            + " | quotation | quote | devis | estimate | kostenvoranschlag | to go ahead | to accept this | bon pour accord | auftragserteilung"),
        new(Categories.Other, 2, "delivered qty | qty delivered | qty ordered | qté livrée | qté commandée | gelieferte menge | bestellte menge"
            + " | reliquat | backorder | back order | date de livraison | lieferdatum | delivery date | goods received | ware erhalten"
            + " | marchandise reçue | received in good condition | signature du client | unterschrift empfänger"),
        new(Categories.Other, 1, "your order | ihre bestellung | votre commande | order number | order no | numéro de commande"),
        new(Categories.Other, 2, "purchase order | po number | po no | po # | bestellnummer | order date | bestelldatum | date de commande | required by | deliver by | livraison souhaitée | liefertermin"
            + " | on your invoice | on all invoices | sur votre facture | sur vos factures | auf ihrer rechnung | in ihrer rechnung"
            + " | acknowledge this order | confirm acceptance | bestätigen sie | accusé de réception"),
        new(Categories.Other, 2, "statement of account | balance brought forward | brought forward | brought fwd | carried forward"
            + " | opening balance | closing balance | saldovortrag | anfangssaldo | solde initial | solde reporté | aged balance"
            + " | {n} days {n} days"),
    ];

    /// <summary>Keys are indexes into <see cref="Phrases"/>.</summary>
    internal static PhraseTable PhraseTable { get; } = new(Phrases.Select((rule, index) => (index, rule.Phrases)));

    /// <summary>Keys are indexes into <see cref="Categories.All"/>.</summary>
    internal static PhraseTable NameTable { get; } =
        new(DocumentNames.Select(name => (IndexOf(name.Category), name.Phrases)));

    internal static int IndexOf(string category)
    {
        for (var i = 0; i < Categories.All.Count; i++)
            if (Categories.All[i] == category) return i;
        throw new ArgumentOutOfRangeException(nameof(category), category, "Not one of Categories.All.");
    }
}
