using Docket.Core.Pipeline.Stages.Extraction;

namespace Docket.Core.Tests.Pipeline;

/// <summary>What Docket asks of tesseract, and the per-document choice of its models, through the real tesseract.</summary>
public sealed class TesseractOcrTests
{
    [Fact]
    public void Arguments_PassTheMeasuredPageSegmentation_AndTheResolutionWhenKnown()
    {
        // The defaults docs/decisions.md measured on the receipts: a change to them has to be measured again.
        var arguments = new TesseractOcr(new OcrOptions()).Arguments("page.pgm", 300, "eng", new OcrOptions().Thresholding);

        Assert.Equal([Path.GetFullPath("page.pgm"), "stdout", "-l", "eng", "--psm", "6", "--dpi", "300", "tsv"], arguments);
    }

    [Fact]
    public void Arguments_PassTheThresholdingMethod_OfANoisyPagesSecondTry()
    {
        var arguments = new TesseractOcr(new OcrOptions { PageSegmentation = 4 }).Arguments("scan.jpg", null, "deu", thresholding: 2);

        Assert.Equal([Path.GetFullPath("scan.jpg"), "stdout", "-l", "deu", "--psm", "4", "-c", "thresholding_method=2", "tsv"], arguments);
    }

    [Fact]
    public void Defaults_ReadANoisyPageAgain_WithSauvolaThresholding()
    {
        var options = new OcrOptions();

        Assert.Equal(0, options.Thresholding);
        Assert.Equal(2, options.NoisyPageThresholding);
    }

    [Fact]
    public async Task ReadAsync_ReadsAFrenchReceiptAgain_WithTheFrenchModelOnly_AfterTheEnglishPass()
    {
        var read = await new TesseractOcr(new OcrOptions()).ReadAsync(OcrFixtures.ReceiptPng, null, "the image", 1, null, CancellationToken.None);

        Assert.Equal("fra", read.Languages);
        Assert.True(read.Chosen);
        Assert.Contains("Merci et à bientôt", read.Pages[0].Text);
    }

    [Fact]
    public async Task ReadAsync_KeepsTheEnglishPass_OfAnEnglishReceipt()
    {
        var read = await new TesseractOcr(new OcrOptions()).ReadAsync(OcrFixtures.ReceiptJpeg, null, "the image", 1, null, CancellationToken.None);

        Assert.Equal("eng", read.Languages);
        Assert.Contains("Kanda Books", read.Pages[0].Text);
    }

    [Fact]
    public async Task ReadAsync_ReadsWithEveryConfiguredModel_WhenTheChoiceIsOff()
    {
        var options = new OcrOptions { Languages = "eng+fra", ChooseLanguages = false };

        var read = await new TesseractOcr(options).ReadAsync(OcrFixtures.ReceiptPng, null, "the image", 1, null, CancellationToken.None);

        Assert.Equal("eng+fra", read.Languages);
    }
}
