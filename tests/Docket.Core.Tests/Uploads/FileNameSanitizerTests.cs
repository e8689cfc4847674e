using System.Text;
using Docket.Core.Uploads;

namespace Docket.Core.Tests.Uploads;

public class FileNameSanitizerTests
{
    [Theory]
    [InlineData("invoice.pdf", "invoice.pdf")]
    [InlineData("Rechnung März 2024.pdf", "Rechnung März 2024.pdf")]
    [InlineData("a-b_c (1).txt", "a-b_c (1).txt")]
    public void Sanitize_KeepsAnOrdinaryName(string input, string expected)
    {
        Assert.Equal(expected, FileNameSanitizer.Sanitize(input));
    }

    [Theory]
    [InlineData("/home/alice/docs/invoice.pdf", "invoice.pdf")]
    [InlineData("../../etc/passwd.txt", "passwd.txt")]
    [InlineData(@"C:\Users\alice\My Documents\invoice.pdf", "invoice.pdf")]
    [InlineData(@"\\server\share\scan.tiff", "scan.tiff")]
    [InlineData(@"..\..\windows/mixed\name.md", "name.md")]
    public void Sanitize_StripsPathSegments_FromUnixAndWindowsPaths(string input, string expected)
    {
        Assert.Equal(expected, FileNameSanitizer.Sanitize(input));
    }

    [Theory]
    [InlineData("folder/")]
    [InlineData(@"C:\folder\")]
    [InlineData("/")]
    public void Sanitize_FallsBackToDocument_WhenThePathEndsInASeparator(string input)
    {
        Assert.Equal("document", FileNameSanitizer.Sanitize(input));
    }

    [Theory]
    [InlineData("a\u0000b.txt", "a_b.txt")]
    [InlineData("a\u0007b.txt", "a_b.txt")]
    [InlineData("a\u001Bb.txt", "a_b.txt")]
    [InlineData("a\u007Fb.txt", "a_b.txt")]
    [InlineData("a\u0085b.txt", "a_b.txt")]
    [InlineData("line\r\nbreak.txt", "line__break.txt")]
    [InlineData("tab\there.txt", "tab_here.txt")]
    public void Sanitize_ReplacesControlCharacters(string input, string expected)
    {
        Assert.Equal(expected, FileNameSanitizer.Sanitize(input));
    }

    [Theory]
    [InlineData("a<b>c.txt", "a_b_c.txt")]
    [InlineData("what?.txt", "what_.txt")]
    [InlineData("star*.txt", "star_.txt")]
    [InlineData("pipe|.txt", "pipe_.txt")]
    [InlineData("say \"hi\".txt", "say _hi_.txt")]
    [InlineData("time 10:30.txt", "time 10_30.txt")]
    [InlineData("para\u2028graph\u2029.txt", "para_graph_.txt")]
    public void Sanitize_ReplacesReservedCharacters(string input, string expected)
    {
        Assert.Equal(expected, FileNameSanitizer.Sanitize(input));
    }

    [Theory]
    [InlineData("a    b.txt", "a b.txt")]
    [InlineData("a \u00A0\u2003 b.txt", "a b.txt")]
    [InlineData("   padded.txt   ", "padded.txt")]
    public void Sanitize_CollapsesAndTrimsWhitespace(string input, string expected)
    {
        Assert.Equal(expected, FileNameSanitizer.Sanitize(input));
    }

    [Theory]
    [InlineData(".hidden.txt", "hidden.txt")]
    [InlineData("...dots.txt", "dots.txt")]
    [InlineData("trailing.txt...", "trailing.txt")]
    [InlineData(" . name.txt . ", "name.txt")]
    [InlineData(". . name.txt", "name.txt")]
    public void Sanitize_TrimsLeadingAndTrailingDots(string input, string expected)
    {
        Assert.Equal(expected, FileNameSanitizer.Sanitize(input));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\r\n")]
    [InlineData("...")]
    [InlineData(". . .")]
    [InlineData("???")]
    [InlineData("\u0000\u0001")]
    public void Sanitize_FallsBackToDocument_WhenNothingUsableRemains(string? input)
    {
        Assert.Equal("document", FileNameSanitizer.Sanitize(input));
    }

    [Fact]
    public void Sanitize_CutsAnOverLongName_ToMaxLength_KeepingTheExtension()
    {
        var input = new string('a', 500) + ".pdf";

        var result = FileNameSanitizer.Sanitize(input);

        Assert.Equal(FileNameSanitizer.MaxLength, result.Length);
        Assert.EndsWith("aaa.pdf", result);
    }

    [Fact]
    public void Sanitize_KeepsANameOfExactlyMaxLength()
    {
        var input = new string('a', FileNameSanitizer.MaxLength - 4) + ".pdf";
        Assert.Equal(input, FileNameSanitizer.Sanitize(input));
    }

    [Fact]
    public void Sanitize_CutsAnOverLongName_WithoutExtension()
    {
        var result = FileNameSanitizer.Sanitize(new string('x', 1000));
        Assert.Equal(new string('x', FileNameSanitizer.MaxLength), result);
    }

    [Fact]
    public void Sanitize_DropsAnAbsurdlyLongExtension_WhenCutting()
    {
        var input = "name." + new string('e', 300);

        var result = FileNameSanitizer.Sanitize(input);

        Assert.Equal(FileNameSanitizer.MaxLength, result.Length);
        Assert.StartsWith("name.eee", result);
    }

    [Fact]
    public void Sanitize_DoesNotLeaveTrailingSpaceBeforeTheExtension_WhenCutting()
    {
        // The cut falls right after a space: "aaa… .pdf" would be an ugly name.
        var input = new string('a', FileNameSanitizer.MaxLength - 5) + " " + new string('b', 50) + ".pdf";

        var result = FileNameSanitizer.Sanitize(input);

        Assert.True(result.Length <= FileNameSanitizer.MaxLength);
        Assert.Equal(new string('a', FileNameSanitizer.MaxLength - 5) + ".pdf", result);
    }

    [Fact]
    public void Sanitize_DoesNotLeaveATrailingDot_WhenCuttingANameWithoutUsableExtension()
    {
        // The extension is too long to keep, and the cut lands right after the dot.
        var input = new string('x', FileNameSanitizer.MaxLength - 1) + "." + new string('y', 50);

        var result = FileNameSanitizer.Sanitize(input);

        Assert.Equal(new string('x', FileNameSanitizer.MaxLength - 1), result);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Sanitize_DoesNotSplitASurrogatePair_WhenCutting(int offset)
    {
        // U+1F4C4 (page facing up) is two UTF-16 chars; place them so the cut falls between
        // the two halves (offset 0) or just after the pair (offset 1).
        const string emoji = "\U0001F4C4";
        var stemLength = FileNameSanitizer.MaxLength - ".pdf".Length;
        var input = new string('a', stemLength - 1 - offset) + string.Concat(Enumerable.Repeat(emoji, 20)) + ".pdf";

        var result = FileNameSanitizer.Sanitize(input);

        Assert.True(result.Length <= FileNameSanitizer.MaxLength);
        Assert.EndsWith(".pdf", result);
        for (var i = 0; i < result.Length; i++)
        {
            if (char.IsHighSurrogate(result[i]))
                Assert.True(i + 1 < result.Length && char.IsLowSurrogate(result[i + 1]), $"lone high surrogate at {i}");
            if (char.IsLowSurrogate(result[i]))
                Assert.True(i > 0 && char.IsHighSurrogate(result[i - 1]), $"lone low surrogate at {i}");
        }
        // Still valid UTF-16 end to end: strict UTF-8 encoding would throw on a lone surrogate.
        _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(result);
    }

    [Fact]
    public void Sanitize_NormalisesToNfc()
    {
        // "é" written as e + combining acute accent (NFD) becomes the single code point U+00E9.
        var result = FileNameSanitizer.Sanitize("cafe\u0301.txt");

        Assert.Equal("caf\u00E9.txt", result);
        Assert.True(result.IsNormalized(NormalizationForm.FormC));
    }

    [Fact]
    public void Sanitize_CountsLengthAfterNormalising()
    {
        // 150 decomposed "é" are 300 chars in NFD but 150 in NFC, so nothing needs cutting.
        var input = string.Concat(Enumerable.Repeat("e\u0301", 150)) + ".txt";

        var result = FileNameSanitizer.Sanitize(input);

        Assert.Equal(new string('\u00E9', 150) + ".txt", result);
    }

    [Fact]
    public void Sanitize_ReplacesLoneSurrogates_SoTheNameIsValidUnicode()
    {
        // Built in code, not [InlineData]: xunit round-trips theory data through UTF-8, which
        // would quietly turn a lone surrogate into U+FFFD before the test ever saw it.
        var strictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        foreach (var input in new[] { "\uD800.txt", "a\uDC00b.txt", "ab\uD83D.txt", "\uDCC4\uD83D.txt" })
        {
            var result = FileNameSanitizer.Sanitize(input);

            Assert.EndsWith(".txt", result);
            Assert.Equal(input.Length, result.Length);
            _ = strictUtf8.GetBytes(result);
        }
    }
}
