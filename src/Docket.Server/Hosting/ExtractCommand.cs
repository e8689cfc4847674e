using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Core.Uploads;

namespace Docket.Server.Hosting;

/// <summary>
/// `docket extract FILE...`: the server's pipeline, run offline on local files, one JSON object per
/// line per file. Nothing is stored and no server or database is needed, so it is what evaluation
/// and shell scripts use.
/// </summary>
public static class ExtractCommand
{
    /// <summary>
    /// Exit code when a named file could not be read (the CLI's "something failed"); a file Docket
    /// refuses or fails on is reported in its line and is no failure of the command.
    /// </summary>
    public const int UnreadableFile = Cli.ClientCommands.Failed;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Issuers are "Müller GmbH", not "M\u00FCller GmbH": the output is read by people as well as scripts.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var files = new Argument<string[]>("FILE") { Description = "Documents to read", Arity = ArgumentArity.OneOrMore };
        var command = new Command("extract", "Run the processing pipeline on local files without a server and print one JSON line per file") { files };
        command.SetAction(async (parse, ct) =>
        {
            using var stdout = Console.OpenStandardOutput();
            return await RunAsync(parse.GetValue(files) ?? [], stdout, DefaultPipeline.CreateStages(), ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> paths, Stream output, IReadOnlyList<IPipelineStage> stages, CancellationToken ct)
    {
        var runner = new PipelineRunner(stages);
        var exitCode = 0;
        foreach (var path in paths)
        {
            ct.ThrowIfCancellationRequested();
            using var line = new MemoryStream();
            using (var json = new Utf8JsonWriter(line, WriterOptions))
            {
                json.WriteStartObject();
                json.WriteString("file", path);
                switch (await ReadAsync(path, runner, ct))
                {
                    case PipelineOutcome.Completed completed:
                        WriteResult(json, completed.Result);
                        break;
                    case PipelineOutcome.Failed failed:
                        json.WriteString("error", failed.Error);
                        if (failed.Stage == Unreadable) exitCode = UnreadableFile;
                        break;
                    case PipelineOutcome.Cancelled:
                        throw new OperationCanceledException(ct);
                }

                json.WriteEndObject();
            }

            line.WriteByte((byte)'\n');
            line.Position = 0;
            await line.CopyToAsync(output, ct);
            await output.FlushAsync(ct);
        }

        return exitCode;
    }

    private const string Unreadable = "read";

    private static async Task<PipelineOutcome> ReadAsync(string path, PipelineRunner runner, CancellationToken ct)
    {
        byte[] head;
        long size;
        try
        {
            await using var stream = File.OpenRead(path);
            size = stream.Length;
            head = new byte[(int)Math.Min(size, ContentSniffer.HeadLength)];
            await stream.ReadExactlyAsync(head, ct);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new PipelineOutcome.Failed($"The file cannot be read: {ex.Message}", Permanent: true, Unreadable);
        }

        return ContentSniffer.Sniff(Path.GetFileName(path), head) switch
        {
            SniffResult.Accepted accepted => await runner.RunAsync(
                new PipelineContext(new DocumentInput(Guid.NewGuid(), Path.GetFileName(path), accepted.Kind, size, path)), _ => { }, ct),
            SniffResult.Refused refused => new PipelineOutcome.Failed(refused.Message, Permanent: true, "validate"),
            _ => throw new InvalidOperationException("Unknown sniff result."),
        };
    }

    private static void WriteResult(Utf8JsonWriter json, DocumentResult result)
    {
        json.WriteString("category", result.Category.Category);
        json.WriteString("language", result.Analysis.Language);

        json.WriteStartObject("fields");
        foreach (var name in FieldNames.All)
        {
            if (!result.Fields.Values.TryGetValue(name, out var field)) json.WriteNull(name);
            else if (field.Type == "amount" && decimal.TryParse(field.Value, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount))
                json.WriteNumber(name, amount);
            else json.WriteString(name, field.Value);
        }
        json.WriteEndObject();

        json.WriteStartObject("confidence");
        foreach (var name in FieldNames.All)
        {
            if (result.Fields.Values.TryGetValue(name, out var field)) json.WriteNumber(name, field.Confidence);
            else json.WriteNull(name);
        }
        json.WriteEndObject();

        json.WriteStartArray("warnings");
        foreach (var warning in result.Fields.Warnings) json.WriteStringValue(warning);
        json.WriteEndArray();
    }
}
