using Docket.Core.Pipeline;
using Docket.Server.Features.Accounts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Docket.Server.Tests.Infrastructure;

/// <summary>The database a test server runs on: every HTTP test class that matters runs on both.</summary>
public enum TestDatabase
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The real server (API and, unless Server:NoWorker is set, its worker) hosted in memory, with a
/// data folder of its own that is deleted afterwards, on SQLite (a file in that folder) or on a
/// PostgreSQL database of its own (created here, dropped afterwards). The worker polls every 50 ms and retries
/// quickly, so tests wait for milliseconds, not seconds. Extra pipeline stages (gates) may be
/// given; they replace the pipeline the server would build, and are opened before shutdown so a
/// held job never keeps the host from stopping.
/// </summary>
public class DocketFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new()
    {
        ["Queue:PollInterval"] = "00:00:00.050",
        ["Queue:RescueInterval"] = "00:00:00.200",
        ["Queue:RetryBaseDelay"] = "00:00:00.050",
        ["Queue:RetryMaxDelay"] = "00:00:00.200",
        // Tests poll every 25 ms from one address and one account; the limits themselves are tested with their defaults.
        ["RateLimits:PerIpBurst"] = "1000000",
        ["RateLimits:PerIpPerSecond"] = "1000000",
        ["RateLimits:PerUserBurst"] = "1000000",
        ["RateLimits:PerUserPerSecond"] = "1000000",
        ["RateLimits:SignInPerIpPerMinute"] = "1000000",
        ["RateLimits:UploadFileBurst"] = "1000000",
        ["RateLimits:UploadFilesPerSecond"] = "1000000",
        ["RateLimits:UploadMegabyteBurst"] = "1000000",
        ["RateLimits:UploadMegabytesPerSecond"] = "1000000",
    };
    private readonly Dictionary<string, TestAccount> _accounts = [];
    private readonly IReadOnlyList<IPipelineStage>? _stages;

    public DocketFactory() : this(null)
    {
    }

    private readonly PostgresTestDatabase? _postgres;

    /// <summary>A server of its own for one test: extra settings, and stages that replace the default pipeline.</summary>
    public static DocketFactory Create(IReadOnlyDictionary<string, string?>? settings = null, IReadOnlyList<IPipelineStage>? stages = null,
        TestDatabase database = TestDatabase.Sqlite, Action<IServiceCollection>? services = null) =>
        new(settings, stages, database) { _services = services };

    private Action<IServiceCollection>? _services;

    protected DocketFactory(IReadOnlyDictionary<string, string?>? settings, IReadOnlyList<IPipelineStage>? stages = null,
        TestDatabase database = TestDatabase.Sqlite)
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "docket-server-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        _settings["Docket:DataDirectory"] = DataDirectory;
        // The API alone, whether or not a built web UI was copied beside the test assembly.
        _settings["Web:Root"] = Path.Combine(DataDirectory, "no-web-ui");
        Database = database;
        if (database == TestDatabase.Postgres)
        {
            _postgres = PostgresTestDatabase.Create();
            _settings["Database:Provider"] = "postgres";
            _settings["Database:ConnectionString"] = _postgres.ConnectionString;
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) _settings[key] = value;
        _stages = stages;
    }

    public string DataDirectory { get; }

    /// <summary>This server's shared account with <paramref name="role"/>, made on first use.</summary>
    public TestAccount Account(string role = Roles.User)
    {
        lock (_accounts)
        {
            if (!_accounts.TryGetValue(role, out var account)) _accounts[role] = account = TestAccount.Create(this, role);
            return account;
        }
    }

    /// <summary>A new account of its own, for tests about who sees what.</summary>
    public TestAccount CreateAccount(string role = Roles.User) => TestAccount.Create(this, role);

    public TestDatabase Database { get; }

    /// <summary>The server's own PostgreSQL database, when it runs on PostgreSQL.</summary>
    public string? PostgresConnectionString => _postgres?.ConnectionString;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // As deployed: Development would change how the framework reports bad requests.
        builder.UseEnvironment("Production");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureTestServices(services =>
        {
            _services?.Invoke(services);
            if (_stages is null) return;
            services.RemoveAll<PipelineRunner>();
            services.AddSingleton(new PipelineRunner(_stages));
        });
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var gate in _stages?.OfType<GateStage>() ?? []) gate.Open();
        await base.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Scratch space under the temp folder; a leftover is harmless.
        }
    }
}

/// <summary>The same server on a PostgreSQL database of its own.</summary>
public sealed class PostgresDocketFactory() : DocketFactory(null, null, TestDatabase.Postgres);

/// <summary>A server that only answers requests: jobs stay queued (`serve --no-worker`).</summary>
public class NoWorkerFactory : DocketFactory
{
    public NoWorkerFactory() : this(TestDatabase.Sqlite)
    {
    }

    protected NoWorkerFactory(TestDatabase database) : base(new Dictionary<string, string?> { ["Server:NoWorker"] = "true" }, null, database)
    {
    }
}

public sealed class PostgresNoWorkerFactory() : NoWorkerFactory(TestDatabase.Postgres);
