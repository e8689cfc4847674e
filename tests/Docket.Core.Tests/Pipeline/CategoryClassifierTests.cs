using Docket.Core.Learning;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Categorising;

namespace Docket.Core.Tests.Pipeline;

public sealed class CategoryClassifierTests
{
    /// <summary>
    /// A monthly statement from one energy supplier: it reads like an invoice (amounts, VAT, a total
    /// to pay), and the rules call it one, but this accounts team files such statements as "other".
    /// </summary>
    public static string EnergyStatement(int month)
    {
        var random = new Random(month);
        var usage = random.Next(800, 2400);
        var charge = usage * 0.284m;
        var standing = 30 * 0.61m;
        var vat = Math.Round((charge + standing) * 0.05m, 2);
        var period = new DateOnly(2024, month, 1);
        return $"""
            Kelderwick Energy
            Customer account 7781-{month:00}4  ·  Meter MPAN 19 1200 4471 {month:00}9

            Your energy statement for {period:MMMM yyyy}

            Meter reading {period.AddMonths(1):d MMMM yyyy}: {48210 + month * 1500} kWh (actual)
            Electricity used: {usage} kWh at 28.40p per kWh         £{charge:0.00}
            Standing charge: 30 days at 61.00p                      £{standing:0.00}
            VAT at 5%                                               £{vat:0.00}
            Total charges this period                               £{charge + standing + vat:0.00}
            Amount to pay                                           £{charge + standing + vat:0.00}

            Payment due by Direct Debit on {period.AddMonths(1).AddDays(14):d MMMM yyyy}.
            Your tariff: Kelderwick Fixed Saver 12M. Compare tariffs at kelderwick-energy.example/switch.
            Smart meter readings are sent automatically.
            """;
    }

    /// <summary>A crew's weekly timesheet: nothing in it is wording the rules know, and this team files it as a report.</summary>
    private static string Timesheet(int week) => $"""
        Hawthorne Site Crew
        Week {week}, crew B
        Name           Mon  Tue  Wed  Thu  Fri
        A. Okoye       8    8    7.5  8    6
        J. Brandt      7    8    8    8    8
        Hours on site {78 + week % 5}; foreman sign-off pending
        """;

    private static FinalisedExample Finalised(string text, string category, string? machineCategory = null) =>
        new(Guid.NewGuid(), Guid.Empty, "document.txt", text, machineCategory ?? category, category,
            new Dictionary<string, ExtractedField>(), new Dictionary<string, string?>(), DateTimeOffset.UtcNow);

    /// <summary>The documents written for these tests, finalised as labelled, the rules having said the same.</summary>
    private static CategoryClassifier TrainedOnInventedDocuments()
    {
        var classifier = new CategoryClassifier();
        foreach (var document in CategoryAccuracyTests.Invented())
            classifier.Learn(Finalised(File.ReadAllText(document.Path), document.Category));
        return classifier;
    }

    private static Categorisation Categorise(CategoryClassifier classifier, string text)
    {
        var tokens = new WordTokens(text);
        return classifier.Review(tokens, RuleCategoriser.Categorise(tokens, null));
    }

    [Fact]
    public void Predict_SaysNothing_UntilItHasEnoughExamplesOfTwoCategories()
    {
        var classifier = new CategoryClassifier();
        for (var week = 1; week < CategoryClassifier.MinExamples; week++) classifier.Learn(Finalised(Timesheet(week), Categories.Report));
        Assert.Null(classifier.Predict(new WordTokens(Timesheet(40))));

        classifier.Learn(Finalised(EnergyStatement(1), Categories.Other));
        Assert.Equal(Categories.Report, classifier.Predict(new WordTokens(Timesheet(40)))?.Category);
    }

    [Fact]
    public void Learn_TeachesTheClassifier_TheCategoriesPeopleFinalised()
    {
        var classifier = TrainedOnInventedDocuments();
        Assert.NotEqual(Categories.Report, classifier.Predict(new WordTokens(Timesheet(40)))?.Category);

        for (var week = 1; week <= 3; week++) classifier.Learn(Finalised(Timesheet(week), Categories.Report));

        var prediction = classifier.Predict(new WordTokens(Timesheet(40)));
        Assert.Equal(Categories.Report, prediction?.Category);
        Assert.True(prediction!.Probability >= CategoryClassifier.OverruleProbability, prediction.ToString());
    }

    [Fact]
    public void Review_FollowsAReviewersCorrection_ForTheNextSimilarDocument()
    {
        var classifier = TrainedOnInventedDocuments();
        var before = Categorise(classifier, EnergyStatement(3));
        Assert.Equal((Categories.Invoice, RuleCategoriser.Method), (before.Category, before.Method));

        classifier.Learn(Finalised(EnergyStatement(1), Categories.Other, machineCategory: Categories.Invoice));

        var after = Categorise(classifier, EnergyStatement(3));
        Assert.Equal((Categories.Other, CategoryClassifier.Method), (after.Category, after.Method));
        Assert.InRange(after.Confidence, CategoryClassifier.OverruleProbability, 1);
    }

    [Fact]
    public void Review_KeepsOtherInvoicesInvoices_AfterAStatementWasCorrected()
    {
        var classifier = TrainedOnInventedDocuments();
        classifier.Learn(Finalised(EnergyStatement(1), Categories.Other, machineCategory: Categories.Invoice));
        classifier.Learn(Finalised(EnergyStatement(2), Categories.Other, machineCategory: Categories.Invoice));

        foreach (var invoice in CategoryAccuracyTests.Corpus().Where(d => d.Category == Categories.Invoice && !d.Path.EndsWith(".pdf", StringComparison.Ordinal)))
        {
            var result = Categorise(classifier, File.ReadAllText(invoice.Path));
            Assert.True(result.Category == Categories.Invoice, $"{invoice.Name}: {result}");
        }
    }

    [Fact]
    public void Review_KeepsTheRulesVerdict_WhenNobodyCorrectedIt()
    {
        // Statements finalised as "other" without anyone overruling the machine: the classifier
        // believes they are "other", but no reviewer has said the rules' "invoice" was wrong.
        var classifier = TrainedOnInventedDocuments();
        for (var month = 1; month <= 3; month++) classifier.Learn(Finalised(EnergyStatement(month), Categories.Other));

        Assert.Equal(Categories.Other, classifier.Predict(new WordTokens(EnergyStatement(5)))?.Category);
        var result = Categorise(classifier, EnergyStatement(5));
        Assert.Equal((Categories.Invoice, RuleCategoriser.Method), (result.Category, result.Method));
    }

    [Fact]
    public void Review_DecidesAlone_WhenTheRulesFoundNothing()
    {
        var classifier = TrainedOnInventedDocuments();
        Assert.Equal(RuleCategoriser.UnknownConfidence, Categorise(classifier, Timesheet(40)).Confidence);

        for (var week = 1; week <= 3; week++) classifier.Learn(Finalised(Timesheet(week), Categories.Report));

        var result = Categorise(classifier, Timesheet(40));
        Assert.Equal((Categories.Report, CategoryClassifier.Method), (result.Category, result.Method));
    }

    [Fact]
    public void Review_AddsConfidence_WhenItAgreesWithTheRules()
    {
        var classifier = TrainedOnInventedDocuments();
        var text = File.ReadAllText(CategoryAccuracyTests.Corpus().First(d => d.Name == "synthetic/doc-07.txt").Path);
        var byRules = RuleCategoriser.Categorise(text, null);

        var reviewed = Categorise(classifier, text);

        Assert.Equal((byRules.Category, RuleCategoriser.Method), (reviewed.Category, reviewed.Method));
        Assert.True(reviewed.Confidence >= byRules.Confidence);
    }

    [Fact]
    public async Task Learn_WhileOtherThreadsPredict_NeverShowsThemAnInconsistentModel()
    {
        var classifier = TrainedOnInventedDocuments();
        var text = new WordTokens(EnergyStatement(9));
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            var predictions = 0;
            do
            {
                var prediction = classifier.Predict(text)!;
                Assert.InRange(prediction.Probability, 0, 1);
                predictions++;
            }
            while (!stop.IsCancellationRequested);

            return predictions;
        })).ToArray();

        for (var month = 1; month <= 12; month++)
        {
            classifier.Learn(Finalised(EnergyStatement(month), Categories.Other, machineCategory: Categories.Invoice));
            classifier.Learn(Finalised(Timesheet(month), Categories.Report));
            await Task.Yield();
        }

        await stop.CancelAsync();
        Assert.All(await Task.WhenAll(readers), predictions => Assert.True(predictions > 0));
        Assert.Equal(CategoryAccuracyTests.Invented().Count() + 24, classifier.Examples);
        Assert.Equal(Categories.Other, classifier.Predict(text)?.Category);
    }
}
