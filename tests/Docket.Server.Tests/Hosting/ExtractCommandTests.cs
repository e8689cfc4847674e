using System.Diagnostics;
using System.Text.Json;

namespace Docket.Server.Tests.Hosting;

/// <summary>`docket extract FILE...`, run as a user runs it: a real process over real files, no server.</summary>
public sealed class ExtractCommandTests : IDisposable
{
    private const string Invoice = """
        Harrow & Finch Ltd
        22 Mill Lane, Bristol

        INVOICE
        Invoice No.: HF-1182
        Invoice date: 04/03/2024
        Due date: 03/04/2024

        Subtotal: £1,250.00
        VAT 20%: £250.00
        Total: £1,500.00

        Thank you for your business. Please pay the total by the due date to the account below.
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("docket-extract-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string content)
    {
        File.WriteAllText(Path.Combine(_folder, name), content);
        return name;
    }

    private async Task<(int ExitCode, List<JsonElement> Lines, string Stderr)> ExtractAsync(params string[] files)
    {
        var (exitCode, stdout, stderr) = await RunAsync(files);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
        return (exitCode, lines, stderr);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] files)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "docket.dll"));
        start.ArgumentList.Add("extract");
        foreach (var file in files) start.ArgumentList.Add(file);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Extract_PrintsOneJsonLinePerFile_WithTheFieldsNormalised()
    {
        var (exitCode, lines, _) = await ExtractAsync(Write("harrow.txt", Invoice));

        Assert.Equal(0, exitCode);
        var line = Assert.Single(lines);
        Assert.Equal("harrow.txt", line.GetProperty("file").GetString());
        Assert.Equal("invoice", line.GetProperty("category").GetString());
        Assert.Equal("en", line.GetProperty("language").GetString());
        var fields = line.GetProperty("fields");
        Assert.Equal(["issuer", "invoice_number", "date", "due_date", "net", "tax", "total", "currency"],
            fields.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Harrow & Finch Ltd", fields.GetProperty("issuer").GetString());
        Assert.Equal("HF-1182", fields.GetProperty("invoice_number").GetString());
        Assert.Equal("2024-03-04", fields.GetProperty("date").GetString());
        Assert.Equal("2024-04-03", fields.GetProperty("due_date").GetString());
        Assert.Equal(JsonValueKind.Number, fields.GetProperty("total").ValueKind);
        Assert.Equal(1500m, fields.GetProperty("total").GetDecimal());
        Assert.Equal(1250m, fields.GetProperty("net").GetDecimal());
        Assert.Equal(250m, fields.GetProperty("tax").GetDecimal());
        Assert.Equal("GBP", fields.GetProperty("currency").GetString());
        var confidence = line.GetProperty("confidence");
        Assert.All(confidence.EnumerateObject(), c => Assert.InRange(c.Value.GetDouble(), 0.01, 1));
        Assert.Empty(line.GetProperty("warnings").EnumerateArray());
    }

    [Fact]
    public async Task Extract_GivesNullFields_ForADocumentThatIsNotAnInvoice()
    {
        var letter = Write("letter.txt", "Dear Ms Patel,\n\nThank you for your letter of 3 May. We will visit on Friday.\n\nKind regards,\nTom Hughes");

        var (exitCode, lines, _) = await ExtractAsync(letter);

        Assert.Equal(0, exitCode);
        var line = Assert.Single(lines);
        Assert.Equal("letter", line.GetProperty("category").GetString());
        Assert.All(line.GetProperty("fields").EnumerateObject(), f => Assert.Equal(JsonValueKind.Null, f.Value.ValueKind));
        Assert.All(line.GetProperty("confidence").EnumerateObject(), f => Assert.Equal(JsonValueKind.Null, f.Value.ValueKind));
    }

    [Fact]
    public async Task Extract_ReportsARefusedFile_AsAnErrorObject_AndGoesOn()
    {
        var fakePdf = Write("fake.pdf", "this is not a PDF");
        var exe = Write("tool.exe", "MZ");
        var invoice = Write("harrow.txt", Invoice);

        var (exitCode, lines, _) = await ExtractAsync(fakePdf, exe, invoice);

        Assert.Equal(0, exitCode);
        Assert.Equal(["fake.pdf", "tool.exe", "harrow.txt"], lines.Select(l => l.GetProperty("file").GetString()));
        Assert.Contains("PDF", lines[0].GetProperty("error").GetString());
        Assert.Contains(".exe", lines[1].GetProperty("error").GetString());
        Assert.Equal("HF-1182", lines[2].GetProperty("fields").GetProperty("invoice_number").GetString());
    }

    [Fact]
    public async Task Extract_ExitsWithOne_ForAFileThatCannotBeRead_AfterReadingTheOthers()
    {
        var invoice = Write("harrow.txt", Invoice);

        var (exitCode, lines, _) = await ExtractAsync("missing.txt", invoice);

        Assert.Equal(1, exitCode);
        Assert.Equal(2, lines.Count);
        Assert.Contains("cannot be read", lines[0].GetProperty("error").GetString());
        Assert.Equal("invoice", lines[1].GetProperty("category").GetString());
    }

    [Fact]
    public async Task Extract_WithoutFiles_IsAUsageError()
    {
        var (exitCode, stdout, stderr) = await RunAsync([]);

        Assert.Equal(2, exitCode);
        Assert.DoesNotContain("{", stdout);
        Assert.Contains("extract", stderr);
    }
}
