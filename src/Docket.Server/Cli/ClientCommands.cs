using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Docket.Server.Cli;

/// <summary>
/// The client side of the `docket` executable: it speaks the HTTP API of a running server.
/// Exit codes: 0 everything processed, 1 a document failed (or the server refused), 2 a usage error.
/// </summary>
public static class ClientCommands
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    /// <summary>Upload files one per request, at most this many at once: enough to keep a server busy, few enough to stay polite.</summary>
    private const int ParallelUploads = 4;

    private static readonly Option<string?> ServerOption = new("--server", "-s")
    {
        Description = $"The Docket server, e.g. {ClientSettings.DefaultServer} (default: ${ClientSettings.ServerVariable}, then the last login)",
        Recursive = true,
    };

    public static IReadOnlyList<string> Names { get; } = ["login", "logout", "upload", "status", "list", "review", "export"];

    public static IEnumerable<Command> Create() => [Login(), Logout(), Upload(), Status(), List(), Review(), Export()];

    public static void AddGlobalOptions(RootCommand root) => root.Options.Add(ServerOption);

    private static Command Login()
    {
        var email = new Option<string?>("--email", "-e") { Description = "Your e-mail address (asked for when missing)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input instead of asking" };
        var command = new Command("login", "Sign in and remember the token for the other commands") { email, passwordStdin };
        command.SetAction((parse, cancellationToken) => RunAsync(async () =>
        {
            var server = ClientSettings.ResolveServer(parse.GetValue(ServerOption));
            var address = parse.GetValue(email) ?? Ask("E-mail: ");
            var password = parse.GetValue(passwordStdin) ? Console.In.ReadLine() ?? "" : AskSecret("Password: ");
            using var client = new DocketClient(server, null);
            var tokens = await client.PostAsync("api/v1/auth/login", new { email = address, password }, cancellationToken);
            ClientSettings.Save(Tokens.ToLogin(server, address, tokens));
            Console.Out.WriteLine($"Signed in to {server} as {address}.");
            return Ok;
        }));
        return command;
    }

    private static Command Logout()
    {
        var command = new Command("logout", "Revoke the remembered token and forget it");
        command.SetAction((parse, cancellationToken) => RunAsync(async () =>
        {
            if (ClientSettings.Load() is { RefreshToken: { } refresh } login)
            {
                using var client = new DocketClient(ClientSettings.ResolveServer(parse.GetValue(ServerOption) ?? login.Server), login.AccessToken);
                try
                {
                    await client.PostAsync("api/v1/auth/logout", new { refresh_token = refresh }, cancellationToken);
                }
                catch (ApiException)
                {
                    // Forgetting the token locally is what the user asked for; the server will expire it anyway.
                }
            }
            ClientSettings.Forget();
            Console.Out.WriteLine("Signed out.");
            return Ok;
        }));
        return command;
    }

    private static Command Upload()
    {
        var paths = new Argument<string[]>("paths") { Description = "Files, or folders whose files are all uploaded", Arity = ArgumentArity.OneOrMore };
        var watch = new Option<bool>("--watch", "-w") { Description = "Follow each document live until it is processed or failed" };
        var command = new Command("upload", "Upload documents; with --watch, show their processing live") { paths, watch };
        command.SetAction((parse, cancellationToken) => RunAsync(async () =>
        {
            var files = ExpandPaths(parse.GetValue(paths)!);
            using var client = await ConnectAsync(parse, cancellationToken);
            // A pile larger than the server's upload budget waits for it; say so now and then, not for every file.
            var lastSaid = DateTimeOffset.MinValue;
            client.Waiting = wait =>
            {
                var now = DateTimeOffset.UtcNow;
                if (now - lastSaid < TimeSpan.FromSeconds(10)) return;
                lastSaid = now;
                Console.Error.WriteLine($"The server asked to wait {Math.Ceiling(wait.TotalSeconds):0} s; the files not yet sent are waiting.");
            };
            // One change feed for every file, opened before the first upload so that nothing it reports is missed.
            await using var feed = parse.GetValue(watch) ? await ChangeFeedWatch.OpenAsync(client, cancellationToken) : null;
            var uploaded = new List<(string File, Guid Id)>();
            var refused = 0;
            using var uploads = new SemaphoreSlim(ParallelUploads);
            var results = await Task.WhenAll(files.Select(async file =>
            {
                await uploads.WaitAsync(cancellationToken);
                try
                {
                    var document = await client.UploadAsync(file, cancellationToken);
                    return (file, document, (string?)null);
                }
                catch (ApiException refusal) when (refusal.Status is not null)
                {
                    return (file, default(JsonElement), refusal.Message);
                }
                finally
                {
                    uploads.Release();
                }
            }));
            foreach (var (file, document, refusal) in results)
            {
                if (refusal is not null)
                {
                    refused++;
                    Console.Error.WriteLine($"{file}: refused: {refusal}");
                    continue;
                }
                var id = document.GetProperty("id").GetGuid();
                uploaded.Add((file, id));
                var duplicate = document.TryGetProperty("duplicate_of", out var of) && of.ValueKind == JsonValueKind.String
                    ? $" (same content as {of.GetString()})" : "";
                if (!parse.GetValue(watch)) Console.Out.WriteLine($"{file}: uploaded as {id}{duplicate}");
            }
            if (!parse.GetValue(watch)) return refused == 0 ? Ok : Failed;

            var failed = 0;
            var names = uploaded.ToDictionary(u => u.Id, u => u.File);
            await ProgressView.RunAsync(uploaded.Select(u => (u.File, u.Id)).ToList(), async (id, report) =>
            {
                var final = await feed!.FollowAsync(id, update => report(update.Percent, update.Status), cancellationToken);
                var status = final.GetProperty("status").GetString()!;
                report(status == "processed" ? 100 : final.GetProperty("progress").GetInt32(), status);
                if (status is not ("processed" or "finalized"))
                {
                    Interlocked.Increment(ref failed);
                    var reason = final.TryGetProperty("failure_reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : status;
                    Console.Error.WriteLine($"{names[id]}: {status}: {reason}");
                }
            });
            Console.Out.WriteLine($"{uploaded.Count - failed} processed, {failed + refused} failed or refused.");
            return failed + refused == 0 ? Ok : Failed;
        }));
        return command;
    }

    private static Command Status()
    {
        var id = new Argument<Guid>("id") { Description = "The document id" };
        var command = new Command("status", "Show a document's status and progress") { id };
        command.SetAction((parse, cancellationToken) => RunAsync(async () =>
        {
            using var client = await ConnectAsync(parse, cancellationToken);
            var status = await client.GetAsync($"api/v1/documents/{parse.GetValue(id)}/status", cancellationToken);
            var state = status.GetProperty("status").GetString();
            var line = $"{parse.GetValue(id)}  {state}  {status.GetProperty("progress").GetInt32()}%";
            if (status.TryGetProperty("stage", out var stage) && stage.ValueKind == JsonValueKind.String) line += $"  stage {stage.GetString()}";
            if (status.TryGetProperty("failure_reason", out var reason) && reason.ValueKind == JsonValueKind.String) line += $"  {reason.GetString()}";
            Console.Out.WriteLine(line);
            return state is "failed" or "rejected" or "cancelled" ? Failed : Ok;
        }));
        return command;
    }

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "Only documents in this status (queued, processing, processed, failed, finalized, ...)" };
        var query = new Option<string?>("--query", "-q") { Description = "Search in file names, text and fields" };
        var page = new Option<int>("--page") { Description = "Page number", DefaultValueFactory = _ => 1 };
        var command = new Command("list", "List documents, newest first") { status, query, page };
        command.SetAction((parse, cancellationToken) => RunAsync(async () =>
        {
            using var client = await ConnectAsync(parse, cancellationToken);
            var path = $"api/v1/documents?page={parse.GetValue(page)}&page_size=50";
            if (parse.GetValue(status) is { } s) path += $"&status={Uri.EscapeDataString(s)}";
            if (parse.GetValue(query) is { } q) path += $"&q={Uri.EscapeDataString(q)}";
            var result = await client.GetAsync(path, cancellationToken);
            foreach (var document in result.GetProperty("items").EnumerateArray())
                Console.Out.WriteLine(string.Join("  ",
                    document.GetProperty("id").GetGuid(),
                    (document.GetProperty("status").GetString() ?? "").PadRight(10),
                    (Text(document, "category") ?? "-").PadRight(14),
                    document.GetProperty("filename").GetString()));
            Console.Out.WriteLine($"page {result.GetProperty("page").GetInt32()} of {Math.Max(1, result.GetProperty("total_pages").GetInt32())}, "
                                  + $"{result.GetProperty("total").GetInt32()} documents");
            return Ok;
        }));
        return command;
    }

    private static Command Review()
    {
        var decision = new Argument<string>("decision") { Description = "approve or reject" };
        decision.AcceptOnlyFromAmong("approve", "reject");
        var id = new Argument<Guid>("id") { Description = "The document id" };
        var reason = new Option<string?>("--reason") { Description = "Why it is rejected" };
        var command = new Command("review", "Approve (finalise) or reject a processed document") { decision, id, reason };
        command.SetAction((parse, cancellationToken) => RunAsync(async () =>
        {
            using var client = await ConnectAsync(parse, cancellationToken);
            var verb = parse.GetValue(decision)!;
            var body = verb == "reject" ? new { reason = parse.GetValue(reason) } : null;
            var answer = await client.PostAsync($"api/v1/review/{parse.GetValue(id)}/{verb}", body, cancellationToken);
            Console.Out.WriteLine(answer.GetProperty("message").GetString());
            return Ok;
        }));
        return command;
    }

    private static Command Export()
    {
        var format = new Option<string>("--format", "-f") { Description = "csv or json", Required = true };
        format.AcceptOnlyFromAmong("csv", "json");
        var output = new Option<string?>("--out", "-o") { Description = "Write to this file instead of standard output" };
        var category = new Option<string?>("--category") { Description = "Only finalised documents of this category" };
        var query = new Option<string?>("--query", "-q") { Description = "Only finalised documents matching this search" };
        var command = new Command("export", "Export the finalised documents as CSV or JSON") { format, output, category, query };
        command.SetAction((parse, cancellationToken) => RunAsync(async () =>
        {
            using var client = await ConnectAsync(parse, cancellationToken);
            var export = await client.PostAsync($"api/v1/export/{parse.GetValue(format)}",
                new { category = parse.GetValue(category), q = parse.GetValue(query) }, cancellationToken);
            var download = export.GetProperty("download_url").GetString()!.TrimStart('/');
            if (parse.GetValue(output) is { } file)
            {
                var temporary = file + ".part";
                await using (var stream = File.Create(temporary))
                    await client.DownloadAsync(download, stream, cancellationToken);
                File.Move(temporary, file, overwrite: true);
                Console.Error.WriteLine($"Exported {export.GetProperty("document_count").GetInt32()} documents to {file}.");
            }
            else
            {
                await using var stdout = Console.OpenStandardOutput();
                await client.DownloadAsync(download, stdout, cancellationToken);
            }
            return Ok;
        }));
        return command;
    }

    /// <summary>A client for the chosen server, with the remembered token when it was issued by that server (refreshed when old).</summary>
    private static async Task<DocketClient> ConnectAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var server = ClientSettings.ResolveServer(parse.GetValue(ServerOption));
        var login = ClientSettings.Load();
        if (login is null || !SameServer(login.Server, server)) return new DocketClient(server, Environment.GetEnvironmentVariable("DOCKET_TOKEN"));
        if (login is { RefreshToken: { } refresh, ExpiresAt: { } expires } && expires < DateTimeOffset.UtcNow.AddMinutes(1))
        {
            using var anonymous = new DocketClient(server, null);
            try
            {
                var tokens = await anonymous.PostAsync("api/v1/auth/refresh", new { refresh_token = refresh }, cancellationToken);
                login = Tokens.ToLogin(server, login.Email, tokens);
                ClientSettings.Save(login);
            }
            catch (ApiException error) when (error.Status is not null)
            {
                throw new ApiException(error.Status, error.Code, $"Your sign-in has expired ({error.Message}); run `docket login` again.");
            }
        }
        return new DocketClient(server, login.AccessToken);
    }

    private static bool SameServer(string? remembered, Uri server) =>
        remembered is not null && Uri.TryCreate(remembered, UriKind.Absolute, out var uri) && Uri.Compare(uri, server,
            UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static List<string> ExpandPaths(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path)) files.Add(path);
            else if (Directory.Exists(path))
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(file => !Path.GetFileName(file).StartsWith('.')).Order(StringComparer.Ordinal));
            else throw new UsageException($"'{path}' is neither a file nor a folder.");
        }
        return files.Count > 0 ? files : throw new UsageException("No files to upload.");
    }

    private static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (UsageException usage)
        {
            Console.Error.WriteLine(usage.Message);
            return Usage;
        }
        catch (ApiException error)
        {
            Console.Error.WriteLine(error.Status is { } status ? $"{error.Message} ({(int)status} {error.Code})" : error.Message);
            return Failed;
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Ask(string prompt)
    {
        Console.Error.Write(prompt);
        return Console.In.ReadLine() ?? throw new UsageException("No input.");
    }

    private static string AskSecret(string prompt)
    {
        if (Console.IsInputRedirected) throw new UsageException("No terminal to ask for the password on; use --password-stdin.");
        Console.Error.Write(prompt);
        var password = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace && password.Length > 0) password.Length--;
            else if (!char.IsControl(key.KeyChar)) password.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return password.ToString();
    }

    private static class Tokens
    {
        public static StoredLogin ToLogin(Uri server, string? email, JsonElement tokens) => new(
            server.ToString(), email,
            tokens.GetProperty("access_token").GetString(),
            tokens.TryGetProperty("refresh_token", out var refresh) ? refresh.GetString() : null,
            tokens.TryGetProperty("expires_in", out var seconds) && seconds.ValueKind == JsonValueKind.Number
                ? DateTimeOffset.UtcNow.AddSeconds(seconds.GetDouble())
                : null);
    }
}
