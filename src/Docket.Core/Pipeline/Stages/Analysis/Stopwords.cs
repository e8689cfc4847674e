using System.Collections.Frozen;

namespace Docket.Core.Pipeline.Stages.Analysis;

/// <summary>
/// Function words of English, German and French: left out of keywords and summaries, and counted
/// to guess the language. Lower-case; words are split at apostrophes, so "l'" and "d'" appear as "l", "d".
/// </summary>
public static class Stopwords
{
    public static FrozenSet<string> English { get; } = Set("""
        a about above after again against all also am an and any are as at be because been before being
        below between both but by can could did do does doing done down during each either else even ever
        every few for from further get gets got had has have having he her here hers herself him himself his
        how however i if in into is it its itself just less let like made make many may me might more most
        much must my myself no nor not now of off on once one only or other our ours ourselves out over own
        per please same she should since so some such than that the their theirs them themselves then there
        these they this those through thus to too under until up upon us very via was we well were what when
        where whether which while who whom whose why will with within without would yet you your yours
        yourself yourselves s t re ve ll d m
        """);

    public static FrozenSet<string> German { get; } = Set("""
        aber alle allem allen aller alles als also am an ander andere anderen anderer anderes auch auf aus
        bei beim bereits bin bis bitte bist da dabei dadurch dafür damit dann daran darauf darf darin das dass
        davon dazu dem den denen denn der deren des deshalb dessen die dies diese diesem diesen dieser dieses
        doch dort du durch ein eine einem einen einer eines er es etwa euch euer eure für gegen gewesen hab
        habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in
        indem ins ist jede jedem jeden jeder jedes jedoch jetzt kann kein keine keinem keinen keiner können
        könnte man manche mehr mein meine meinem meinen meiner mich mir mit muss müssen nach nicht nichts noch
        nun nur ob oder ohne sehr sein seine seinem seinen seiner seit sich sie sind so soll sollen sollte
        sondern sowie über um und uns unser unsere unter vom von vor wann war waren warum was weil welche
        welchem welchen welcher welches wenn wer werde werden wie wieder wir wird wo wurde wurden zu zum zur
        zwar zwischen
        """);

    public static FrozenSet<string> French { get; } = Set("""
        à afin ai aie aient ainsi alors après au aucun aucune aujourd aussi autre autres aux avaient avais
        avait avant avec avez avons c ça car ce ceci cela celle celles celui cependant certains ces cet cette
        ceux chaque chez comme comment d dans de depuis des dès donc dont du elle elles en encore entre es est
        et étaient était été être eu eux fait faire fois font hors il ils j je jusqu l la là le les leur leurs
        lors lorsque lui m ma mais me même mes moi moins mon n ne ni nos notre nous on ont ou où par parce
        pas pendant peu peut plus pour pourquoi qu quand que quel quelle quelles quels qui quoi s sa sans se
        selon ses seront si sien soi soit son sont sous soyez suis sur t ta tandis te tel telle tes toi ton
        tous tout toute toutes très tu un une vers voici voilà vos votre vous y
        """);

    /// <summary>
    /// Words every business paper's letterhead and footer carry, which say nothing about what one
    /// document is about: legal forms, months and weekdays, contact and address words, currency codes.
    /// </summary>
    public static FrozenSet<string> Boilerplate { get; } = Set("""
        gmbh ohg ltd llc inc plc corp sas sarl sàrl eurl spa srl
        january february march april may june july august september october november december
        jan feb mar apr jun jul aug sep sept oct nov dec
        januar februar märz mai juni juli oktober dezember
        janvier février mars avril juin juillet août septembre octobre novembre décembre
        monday tuesday wednesday thursday friday saturday sunday
        montag dienstag mittwoch donnerstag freitag samstag sonntag
        lundi mardi mercredi jeudi vendredi samedi dimanche
        tel tél fax email mail www http https com org net example phone telefon téléphone
        page seite str straße strasse street road rue avenue
        eur usd gbp chf jpy inr date datum
        """);

    /// <summary>Every stopword of every language, for keywords and summary scoring.</summary>
    public static FrozenSet<string> All { get; } = English.Concat(German).Concat(French).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Each stopword with the languages it belongs to as bits (1 English, 2 German, 4 French):
    /// one lookup per word answers both "is it a stopword" and "whose".
    /// </summary>
    public static FrozenDictionary<string, int> LanguagesOf { get; } = All.ToFrozenDictionary(
        word => word,
        word => (English.Contains(word) ? 1 : 0) | (German.Contains(word) ? 2 : 0) | (French.Contains(word) ? 4 : 0),
        StringComparer.Ordinal);

    private static FrozenSet<string> Set(string words) =>
        words.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal);
}
