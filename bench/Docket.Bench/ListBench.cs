using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Docket.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Docket.Bench;

/// <summary>
/// The document list at scale: COUNT processed-looking documents (each with its job and, when it
/// got that far, a current result of 1-2 KB of text and a data JSON) seeded straight into a freshly
/// migrated database, then a real <c>docket serve --no-worker</c> on it answers
/// GET /api/v1/documents over HTTP. Ten owners hold a tenth each; the bench user is one of them (a
/// person's own list), and the admin, who sees everything, asks the same questions of all COUNT.
/// Timed per query: the first page in the default order, a rare and a common status, and a search
/// for a word in few documents and for one in none.
/// </summary>
public static class ListBench
{
    private const int Owners = 10;
    private const int Samples = 200;
    // Bounds one query's sampling, so a slow "before" run still finishes; the sample count is printed.
    private static readonly TimeSpan SamplingBudget = TimeSpan.FromSeconds(30);
    // Ten documents in RareEvery (one per owner) mention RareWord when they have a result; no document mentions MissingWord.
    private const string RareWord = "zephyrine";
    private const string MissingWord = "xylophonist";
    private const int RareEvery = 10_000;

    public static async Task RunAsync(string[] args)
    {
        var provider = args[0];
        var count = int.Parse(args[1], CultureInfo.InvariantCulture);
        var serverDll = args.Length > 2 ? args[2] : BenchServer.ServerDll;
        var data = Directory.CreateTempSubdirectory("docket-list-bench-").FullName;
        // Profiling before/after a change: the database a run with DOCKET_BENCH_KEEP_DATABASE=1 left, seeded once, asked by each build in turn.
        var reuse = Environment.GetEnvironmentVariable("DOCKET_BENCH_LIST_DATABASE");
        var keep = Environment.GetEnvironmentVariable("DOCKET_BENCH_KEEP_DATABASE") == "1" || reuse is { Length: > 0 };
        var (connection, dropDatabase) = reuse is { Length: > 0 } ? (reuse, () => Task.CompletedTask) : await CreateDatabaseAsync(provider, data);
        var owners = Enumerable.Range(0, Owners).Select(o => new Guid($"00000000-0000-4000-8000-{o + 1:D12}")).ToArray();
        try
        {
            if (reuse is not { Length: > 0 })
            {
                await using (var services = QueueBench.Services(provider, connection, data))
                    services.GetRequiredService<DatabaseMigrator>().Migrate();
                var seeding = Stopwatch.StartNew();
                if (provider == "sqlite") SeedSqlite(connection, owners, count);
                else await SeedPostgresAsync(connection, owners, count);
                Console.Error.WriteLine($"list {provider}: seeded {count} documents in {seeding.Elapsed.TotalSeconds:0} s");
            }

            // The admin is made on the first start only, so a reused database keeps the password it was given then:
            // a kept one is given the password its printed connection string will derive when it is reused.
            var adminPassword = keep
                ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(connection)))[..24]
                : Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
            await using var server = await ListServer.StartAsync(serverDll, provider, connection, data, adminPassword);
            using var admin = await server.SignInAsync(ListServer.AdminEmail, server.AdminPassword);
            // The bench user is a seeded owner without a password; the admin gives it one, as an admin would.
            var userPassword = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
            using (var patch = await admin.PatchAsync($"admin/users/{owners[0]}", Json(new { password = userPassword })))
                if (!patch.IsSuccessStatusCode) throw new InvalidOperationException($"Setting the bench user's password: {(int)patch.StatusCode} {await patch.Content.ReadAsStringAsync()}");
            using var user = await server.SignInAsync(OwnerEmail(0), userPassword);

            foreach (var (client, who, visible) in new[] { (user, "", count / Owners), (admin, ", admin", count) })
            {
                var variant = $"{provider}, {count} docs{who}";
                var metrics = new Dictionary<string, double>();
                var statusP99 = 0.0;
                var searchP99 = 0.0;
                foreach (var (name, query, check) in Queries(visible))
                {
                    var (timings, body) = await TimeAsync(client, query);
                    check(body);
                    var p50 = Percentile(timings, 0.50);
                    var p99 = Percentile(timings, 0.99);
                    metrics[$"{name}_p50_ms"] = Math.Round(p50, 2);
                    metrics[$"{name}_p99_ms"] = Math.Round(p99, 2);
                    if (name.StartsWith("status", StringComparison.Ordinal)) statusP99 = Math.Max(statusP99, p99);
                    if (name.StartsWith("search", StringComparison.Ordinal)) searchP99 = Math.Max(searchP99, p99);
                    Console.Error.WriteLine($"list {variant}: {name} ({query}): p50 {p50:0.0} ms, p99 {p99:0.0} ms over {timings.Count} requests");
                }
                metrics["status_p99_ms"] = Math.Round(statusP99, 2);
                metrics["search_p99_ms"] = Math.Round(searchP99, 2);
                BenchResult.Print("list", variant, metrics);
            }
        }
        finally
        {
            // For EXPLAIN afterwards: the seeded database outlives the run (and is the caller's to drop).
            if (keep) Console.Error.WriteLine($"list {provider}: kept the database: {connection}");
            else await dropDatabase();
            // A kept SQLite database lives in this run's data folder.
            if (!(keep && provider == "sqlite" && reuse is not { Length: > 0 })) Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>A fresh database, and how to drop it again (SQLite's lives in the data folder).</summary>
    private static async Task<(string Connection, Func<Task> Drop)> CreateDatabaseAsync(string provider, string data)
    {
        if (provider == "sqlite") return ($"Data Source={Path.Combine(data, "docket.db")}", () => Task.CompletedTask);
        if (provider != "postgres") throw new ArgumentException($"Unknown provider '{provider}': sqlite or postgres.");
        var server = Environment.GetEnvironmentVariable("DOCKET_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("DOCKET_TEST_POSTGRES")
            ?? throw new InvalidOperationException("Set DOCKET_BENCH_POSTGRES to a PostgreSQL connection string (a superuser; a database is created).");
        var database = $"docket_list_bench_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await ExecuteAsync(admin, $"CREATE DATABASE {database}");
        }
        var connection = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        return (connection, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        });
    }

    /// <summary>What is asked, and what the answer must look like for the timing to mean anything.</summary>
    private static IEnumerable<(string Name, string Query, Action<JsonElement> Check)> Queries(int visible)
    {
        yield return ("first_page", "documents", page => Expect(page, "first page", items: 20, totalAtLeast: Math.Min(visible, 1)));
        yield return ("status_failed", "documents?status=failed", page => ExpectStatus(page, "failed"));
        yield return ("status_processed", "documents?status=processed", page => ExpectStatus(page, "processed"));
        yield return ("search_rare", $"documents?q={RareWord}", page => Expect(page, "rare word", items: null, totalAtLeast: 1));
        yield return ("search_none", $"documents?q={MissingWord}", page => Expect(page, "missing word", items: 0, totalAtLeast: 0));
    }

    private static void ExpectStatus(JsonElement page, string status)
    {
        Expect(page, status, items: Math.Min(20, page.GetProperty("total").GetInt32()), totalAtLeast: 1);
        if (page.GetProperty("items").EnumerateArray().Any(d => d.GetProperty("status").GetString() != status))
            throw new InvalidOperationException($"status={status} answered documents of another status.");
    }

    private static void Expect(JsonElement page, string what, int? items, int totalAtLeast)
    {
        var found = page.GetProperty("items").GetArrayLength();
        var total = page.GetProperty("total").GetInt32();
        if ((items is { } expected && found != expected) || total < totalAtLeast || (items is null && found == 0))
            throw new InvalidOperationException($"The {what} query answered {found} items of {total}; the seeding or the query is wrong.");
    }

    private static async Task<(List<double> Timings, JsonElement Last)> TimeAsync(HttpClient client, string query)
    {
        JsonElement last = default;
        async Task<double> OnceAsync()
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync(query);
            var body = await response.Content.ReadAsByteArrayAsync();
            var elapsed = clock.Elapsed.TotalMilliseconds;
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {query}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
            last = JsonDocument.Parse(body).RootElement;
            return elapsed;
        }
        for (var i = 0; i < 5; i++) await OnceAsync();
        var timings = new List<double>();
        var budget = Stopwatch.StartNew();
        while (timings.Count < Samples && (timings.Count < 20 || budget.Elapsed < SamplingBudget)) timings.Add(await OnceAsync());
        return (timings, last);
    }

    private static double Percentile(List<double> values, double quantile)
    {
        var sorted = values.Order().ToList();
        var rank = quantile * (sorted.Count - 1);
        var below = (int)Math.Floor(rank);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
    }

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static string OwnerEmail(int owner) => $"owner{owner}@bench.docket.local";

    // ---- Seeding ----------------------------------------------------------------------------

    private static readonly string[] Categories = ["invoice", "receipt", "contract", "letter", "memo", "report", "resume", "technical specification", "other"];
    private static readonly string[] Extensions = ["pdf", "pdf", "pdf", "docx", "txt", "png"];
    private static readonly string[] Vendors = ["Acme Supplies GmbH", "Northwind Traders", "Globex Corporation", "Initech Ltd", "Umbrella Logistics",
        "Stark Industrial", "Wayne Shipping", "Hooli Cloud Services", "Vandelay Imports", "Soylent Foods", "Tyrell Components", "Cyberdyne Systems"];
    private static readonly string[] Words = ("""
        invoice total amount due payment terms net days vendor customer account number reference order delivery shipment
        quantity unit price description item service consulting hours rate tax vat subtotal currency euro dollar bank transfer
        iban swift remittance address street city postal code country phone email website contract agreement party parties
        hereby shall obligations term termination notice period confidential information liability warranty indemnity
        governing law jurisdiction signature date effective renewal clause schedule appendix report quarter annual revenue
        growth margin operating expenses forecast budget variance analysis summary findings recommendation conclusion
        project milestone deliverable timeline status risk issue mitigation stakeholder meeting minutes action owner deadline
        memo team department manager director policy procedure update change request approval review feedback draft final
        letter dear sincerely regards thank you inquiry response application position experience education skills languages
        references resume curriculum vitae employment history responsibilities achievements certification training software
        hardware specification requirement interface protocol performance capacity throughput latency availability security
        encryption authentication storage network server database backup recovery monitoring maintenance support warranty
        receipt purchase store cashier card cash change discount coupon loyalty points return policy exchange refund
        """).Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);

    private readonly record struct SeedDocument(
        Guid Id, Guid OwnerId, string Filename, string FileType, string ContentType, long SizeBytes, string Sha256, string Status,
        string? Title, string? Category, Guid JobId, Guid? ResultId, string? FailureReason, DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt, DateTimeOffset? ProcessedAt, DateTimeOffset? FinalizedAt, string JobState, int Attempt);

    private static readonly DateTimeOffset SeedEnd = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Document <paramref name="i"/>, the same on every run: uploaded over six months, oldest first.</summary>
    private static SeedDocument Document(int i, int count, Guid[] owners)
    {
        var random = new Random(i);
        var created = SeedEnd.AddDays(-182).AddTicks(TimeSpan.FromDays(182).Ticks / count * i + random.Next(0, 1000) * TimeSpan.TicksPerMillisecond);
        var roll = random.Next(1000);
        // 1 % failed (the rare filter), 5 % queued, 2 % processing, 52 % processed (the common one), 40 % finalised.
        var (status, jobState) = roll switch
        {
            < 10 => ("failed", "failed"),
            < 60 => ("queued", "queued"),
            < 80 => ("processing", "running"),
            < 600 => ("processed", "succeeded"),
            _ => ("finalized", "succeeded"),
        };
        var done = jobState == "succeeded";
        var category = done || status == "failed" ? Categories[random.Next(Categories.Length)] : null;
        var extension = Extensions[random.Next(Extensions.Length)];
        var vendor = Vendors[random.Next(Vendors.Length)];
        var id = Version7(created, random);
        var processed = done ? created.AddSeconds(2 + random.Next(30)) : (DateTimeOffset?)null;
        var finalized = status == "finalized" ? processed!.Value.AddHours(1 + random.Next(200)) : (DateTimeOffset?)null;
        return new SeedDocument(
            id, owners[i % owners.Length], $"{(category ?? "scan").Replace(' ', '-')}-{i:D7}.{extension}", extension,
            extension switch { "pdf" => "application/pdf", "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "png" => "image/png", _ => "text/plain" },
            20_000 + random.Next(2_000_000), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(id.ToByteArray())), status,
            done ? $"{char.ToUpperInvariant((category ?? "x")[0])}{(category ?? "x")[1..]} {i} from {vendor}" : null, category,
            Version7(created, random), done ? Version7(processed!.Value, random) : null,
            status == "failed" ? "The PDF has no text layer and OCR found no text (page 1)." : null,
            created, finalized ?? processed ?? created, processed, finalized, jobState, status == "failed" ? 3 : done ? 1 : 0);
    }

    /// <summary>A version 7 id (time-ordered, as the server makes them) whose random part repeats on every pass over the rows.</summary>
    private static Guid Version7(DateTimeOffset at, Random random)
    {
        var ms = at.ToUnixTimeMilliseconds();
        return Guid.Parse(string.Create(CultureInfo.InvariantCulture,
            $"{ms >> 16:x8}-{ms & 0xffff:x4}-7{random.Next(0x1000):x3}-{0x8000 | random.Next(0x4000):x4}-{random.NextInt64(1L << 48):x12}"));
    }

    /// <summary>The extracted text (1-2 KB) and machine output (a few hundred bytes of JSON) of document <paramref name="i"/>.</summary>
    private static (string Content, string Data) Result(int i, SeedDocument document)
    {
        var random = new Random(~i);
        var text = new StringBuilder(2200);
        text.Append(document.Title).Append('\n');
        var length = 1000 + random.Next(1000);
        while (text.Length < length)
        {
            text.Append(Words[random.Next(Words.Length)]);
            text.Append(random.Next(12) switch
            {
                0 => $" {random.Next(100, 99_999)}.{random.Next(100):D2} ",
                1 => ".\n",
                _ => " ",
            });
        }
        if (i % RareEvery < Owners) text.Append(' ').Append(RareWord).Append(" clause applies.");
        var total = random.Next(100, 99_999);
        var data = JsonSerializer.Serialize(new
        {
            category = document.Category,
            language = "en",
            pages = 1 + random.Next(12),
            words = length / 6,
            keywords = Enumerable.Range(0, 5).Select(_ => Words[random.Next(Words.Length)]).ToArray(),
            summary = text.ToString(0, Math.Min(160, text.Length)).Replace('\n', ' '),
            fields = new Dictionary<string, object>
            {
                ["vendor"] = new { value = document.Title?.Split(" from ")[^1], confidence = 0.8 + random.Next(20) / 100.0 },
                ["invoice_number"] = new { value = $"INV-{i:D7}", confidence = 0.95 },
                ["total"] = new { value = total.ToString(CultureInfo.InvariantCulture), confidence = 0.9 },
                ["currency"] = new { value = "EUR", confidence = 0.99 },
            },
        });
        return (text.ToString(), data);
    }

    private static async Task SeedPostgresAsync(string connectionString, Guid[] owners, int count)
    {
        // A million rows' COPY, index builds and VACUUM each take minutes, not the default 30 s.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, "SET maintenance_work_mem = '512MB'");
        // Loading into indexed tables costs far more than building the indexes afterwards, and the
        // indexes end up the same: every secondary index of the seeded tables is dropped and rebuilt from its definition.
        var indexes = new List<(string Name, string Definition)>();
        await using (var command = new NpgsqlCommand("""
            SELECT indexname, indexdef FROM pg_indexes
            WHERE schemaname = 'public' AND tablename IN ('documents', 'jobs', 'document_results')
              AND indexname NOT IN (SELECT conname FROM pg_constraint)
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) indexes.Add((reader.GetString(0), reader.GetString(1)));
        foreach (var (name, _) in indexes) await ExecuteAsync(connection, $"DROP INDEX {name}");

        for (var o = 0; o < owners.Length; o++)
            await ExecuteAsync(connection, $"INSERT INTO users (id, email, display_name, role, created_at) VALUES ('{owners[o]}', '{OwnerEmail(o)}', 'Owner {o}', 'user', now())");

        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY documents (id, owner_id, filename, file_type, content_type, size_bytes, sha256, storage_key, status, title, category,
                            current_job_id, current_result_id, failure_reason, version, created_at, updated_at, processed_at, finalized_at)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < count; i++)
            {
                var d = Document(i, count, owners);
                await copy.StartRowAsync();
                await copy.WriteAsync(d.Id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(d.OwnerId, NpgsqlDbType.Uuid);
                await copy.WriteAsync(d.Filename, NpgsqlDbType.Text);
                await copy.WriteAsync(d.FileType, NpgsqlDbType.Text);
                await copy.WriteAsync(d.ContentType, NpgsqlDbType.Text);
                await copy.WriteAsync(d.SizeBytes, NpgsqlDbType.Bigint);
                await copy.WriteAsync(d.Sha256, NpgsqlDbType.Text);
                await copy.WriteAsync($"documents/{d.Id:N}", NpgsqlDbType.Text);
                await copy.WriteAsync(d.Status, NpgsqlDbType.Text);
                await WriteNullableAsync(copy, d.Title, NpgsqlDbType.Text);
                await WriteNullableAsync(copy, d.Category, NpgsqlDbType.Text);
                await copy.WriteAsync(d.JobId, NpgsqlDbType.Uuid);
                await WriteNullableAsync(copy, d.ResultId, NpgsqlDbType.Uuid);
                await WriteNullableAsync(copy, d.FailureReason, NpgsqlDbType.Text);
                await copy.WriteAsync(1, NpgsqlDbType.Integer);
                await copy.WriteAsync(d.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(d.UpdatedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                await WriteNullableAsync(copy, d.ProcessedAt?.UtcDateTime, NpgsqlDbType.TimestampTz);
                await WriteNullableAsync(copy, d.FinalizedAt?.UtcDateTime, NpgsqlDbType.TimestampTz);
            }
            await copy.CompleteAsync();
        }

        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY jobs (id, document_id, owner_id, kind, state, attempt, max_attempts, scheduled_at, attempted_at, progress, last_error,
                       created_at, finalized_at)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < count; i++)
            {
                var d = Document(i, count, owners);
                await copy.StartRowAsync();
                await copy.WriteAsync(d.JobId, NpgsqlDbType.Uuid);
                await copy.WriteAsync(d.Id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(d.OwnerId, NpgsqlDbType.Uuid);
                await copy.WriteAsync("process", NpgsqlDbType.Text);
                await copy.WriteAsync(d.JobState, NpgsqlDbType.Text);
                await copy.WriteAsync(d.Attempt, NpgsqlDbType.Integer);
                await copy.WriteAsync(3, NpgsqlDbType.Integer);
                await copy.WriteAsync(d.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                await WriteNullableAsync(copy, d.Attempt > 0 ? d.CreatedAt.AddSeconds(1).UtcDateTime : (DateTime?)null, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(d.JobState == "succeeded" ? 100 : d.JobState == "running" ? 40 : 0, NpgsqlDbType.Integer);
                await WriteNullableAsync(copy, d.FailureReason, NpgsqlDbType.Text);
                await copy.WriteAsync(d.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                await WriteNullableAsync(copy, d.ProcessedAt?.UtcDateTime ?? (d.Status == "failed" ? d.UpdatedAt.UtcDateTime : null), NpgsqlDbType.TimestampTz);
            }
            await copy.CompleteAsync();
        }

        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY document_results (id, document_id, job_id, version, content, data, created_at) FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < count; i++)
            {
                var d = Document(i, count, owners);
                if (d.ResultId is not { } resultId) continue;
                var (content, data) = Result(i, d);
                await copy.StartRowAsync();
                await copy.WriteAsync(resultId, NpgsqlDbType.Uuid);
                await copy.WriteAsync(d.Id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(d.JobId, NpgsqlDbType.Uuid);
                await copy.WriteAsync(1, NpgsqlDbType.Integer);
                await copy.WriteAsync(content, NpgsqlDbType.Text);
                await copy.WriteAsync(data, NpgsqlDbType.Text);
                await copy.WriteAsync(d.ProcessedAt!.Value.UtcDateTime, NpgsqlDbType.TimestampTz);
            }
            await copy.CompleteAsync();
        }

        foreach (var (_, definition) in indexes) await ExecuteAsync(connection, definition);
        // What autovacuum does to a table that has settled: statistics, and the visibility map index-only scans need.
        await ExecuteAsync(connection, "VACUUM ANALYZE documents, jobs, document_results, users");
    }

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type) =>
        value is null ? copy.WriteNullAsync() : copy.WriteAsync(value, type);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    private static void SeedSqlite(string connectionString, Guid[] owners, int count)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        var indexes = new List<(string Name, string Definition)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('documents', 'jobs', 'document_results')";
            using var reader = command.ExecuteReader();
            while (reader.Read()) indexes.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (name, _) in indexes) Execute(connection, $"DROP INDEX {name}");

        using (var transaction = connection.BeginTransaction())
        {
            for (var o = 0; o < owners.Length; o++)
                Execute(connection, $"INSERT INTO users (id, email, display_name, role, created_at) VALUES ('{owners[o]}', '{OwnerEmail(o)}', 'Owner {o}', 'user', {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()})");
            using var documents = Prepare(connection, """
                INSERT INTO documents (id, owner_id, filename, file_type, content_type, size_bytes, sha256, storage_key, status, title, category,
                                       current_job_id, current_result_id, failure_reason, version, created_at, updated_at, processed_at, finalized_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $16, $17, $18)
                """, 18);
            using var jobs = Prepare(connection, """
                INSERT INTO jobs (id, document_id, owner_id, kind, state, attempt, max_attempts, scheduled_at, attempted_at, progress, last_error,
                                  created_at, finalized_at)
                VALUES ($1, $2, $3, 'process', $4, $5, 3, $6, $7, $8, $9, $6, $10)
                """, 10);
            using var results = Prepare(connection, """
                INSERT INTO document_results (id, document_id, job_id, version, content, data, created_at) VALUES ($1, $2, $3, 1, $4, $5, $6)
                """, 6);
            static object Id(Guid? id) => id is { } value ? value.ToString("D") : DBNull.Value;
            static object Ms(DateTimeOffset? at) => at is { } value ? value.ToUnixTimeMilliseconds() : DBNull.Value;
            static void Run(SqliteCommand command, params object?[] values)
            {
                for (var p = 0; p < values.Length; p++) command.Parameters[p].Value = values[p] ?? DBNull.Value;
                command.ExecuteNonQuery();
            }
            for (var i = 0; i < count; i++)
            {
                var d = Document(i, count, owners);
                Run(documents, Id(d.Id), Id(d.OwnerId), d.Filename, d.FileType, d.ContentType, d.SizeBytes, d.Sha256, $"documents/{d.Id:N}",
                    d.Status, d.Title, d.Category, Id(d.JobId), Id(d.ResultId), d.FailureReason, Ms(d.CreatedAt), Ms(d.UpdatedAt),
                    Ms(d.ProcessedAt), Ms(d.FinalizedAt));
                Run(jobs, Id(d.JobId), Id(d.Id), Id(d.OwnerId), d.JobState, d.Attempt, Ms(d.CreatedAt),
                    d.Attempt > 0 ? Ms(d.CreatedAt.AddSeconds(1)) : null, d.JobState == "succeeded" ? 100 : d.JobState == "running" ? 40 : 0,
                    d.FailureReason, Ms(d.ProcessedAt ?? (d.Status == "failed" ? d.UpdatedAt : null)));
                if (d.ResultId is { } resultId)
                {
                    var (content, data) = Result(i, d);
                    Run(results, Id(resultId), Id(d.Id), Id(d.JobId), content, data, Ms(d.ProcessedAt));
                }
            }
            transaction.Commit();
        }
        foreach (var (_, definition) in indexes) Execute(connection, definition);
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, int parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var p = 1; p <= parameters; p++) command.Parameters.Add(new SqliteParameter($"${p}", null));
        command.Prepare();
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

/// <summary>
/// A real <c>docket serve --no-worker</c> on a given database (not <see cref="BenchServer"/>'s fresh one) and a
/// given build, so one seeded database can be asked by the build before a change and the one after.
/// </summary>
internal sealed class ListServer : IAsyncDisposable
{
    public const string AdminEmail = BenchServer.Email;

    private readonly Process _process;
    private readonly Uri _api;

    public string AdminPassword { get; }

    private ListServer(Process process, Uri api, string adminPassword) => (_process, _api, AdminPassword) = (process, api, adminPassword);

    public static async Task<ListServer> StartAsync(string serverDll, string provider, string connection, string data, string password)
    {
        var port = EndToEnd.FreePort();
        var settings = BenchServer.AdminSettings(password);
        settings["Database__Provider"] = provider;
        settings["Database__ConnectionString"] = connection;
        settings["Logging__LogLevel__Default"] = "Warning";
        var process = BenchServer.StartDocket($"serve --urls http://127.0.0.1:{port} --no-worker", data, settings, serverDll);
        var server = new ListServer(process, new Uri($"http://127.0.0.1:{port}/api/v1/"), password);
        using var probe = new HttpClient { BaseAddress = server._api };
        for (var i = 0; ; i++)
        {
            try { if ((await probe.GetAsync("/health/ready")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
            if (process.HasExited || i > 600)
            {
                await server.DisposeAsync();
                throw new TimeoutException("The server did not become ready.");
            }
            await Task.Delay(100);
        }
        return server;
    }

    public async Task<HttpClient> SignInAsync(string email, string password)
    {
        var client = new HttpClient { BaseAddress = _api };
        using var login = await client.PostAsync("auth/login", new StringContent(JsonSerializer.Serialize(new { email, password }), Encoding.UTF8, "application/json"));
        if (!login.IsSuccessStatusCode) throw new InvalidOperationException($"Signing in as {email}: {(int)login.StatusCode} {await login.Content.ReadAsStringAsync()}");
        using var tokens = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.RootElement.GetProperty("access_token").GetString());
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
