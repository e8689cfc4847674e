using Docket.Data.Events;
using Docket.Data.Jobs;
using Docket.Data.Learning;
using Docket.Data.Maintenance;
using Docket.Data.Model;
using Docket.Data.Postgres;
using Docket.Data.Sqlite;
using Docket.Data.Storage;
using Docket.Data.Telemetry;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Docket.Data;

public static class DataServices
{
    /// <summary>
    /// The local user that owned everything before accounts existed. It has no password, so nobody
    /// signs in as it; admins see what it owns like everyone else's.
    /// </summary>
    public static readonly Guid DefaultUserId = Guid.Parse("00000000-0000-7000-8000-000000000001");

    public static IServiceCollection AddDocketData(this IServiceCollection services)
    {
        services.AddOptions<DocketOptions>().BindConfiguration(DocketOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BusOptions>().BindConfiguration(BusOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<QueueOptions>().BindConfiguration(QueueOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddTimeProvider();
        services.AddMetrics();
        services.AddSingleton<QueueMetrics>();

        services.AddSingleton(sp => new SqliteDatabase(SqliteConnectionString(sp)));
        services.AddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString!));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<BusOptions>>().Value.CreateBus(sp));
        services.AddSingleton<IJobStore>(sp => IsPostgres(sp)
            ? ActivatorUtilities.CreateInstance<PostgresJobStore>(sp)
            : ActivatorUtilities.CreateInstance<SqliteJobStore>(sp));
        services.AddSingleton<IFinalisedDocuments>(sp => IsPostgres(sp)
            ? new PostgresFinalisedDocuments(sp.GetRequiredService<NpgsqlDataSource>())
            : new SqliteFinalisedDocuments(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<IMaintenanceClaims>(sp => IsPostgres(sp)
            ? new PostgresMaintenanceClaims(sp.GetRequiredService<NpgsqlDataSource>())
            : new SqliteMaintenanceClaims(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IFileStore>(sp => new LocalFileStore(StorageRoot(sp)));
        services.AddDbContextPool<DocketDbContext>((sp, options) =>
        {
            if (IsPostgres(sp)) options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>());
            else options.UseSqlite(sp.GetRequiredService<SqliteDatabase>().ConnectionString).AddInterceptors(new SqlitePragmas());
            options.UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
            // The capped count of a list page takes up to 10,001 rows in no order on purpose, and a row read by its key
            // has nothing to order: left on, this warning was logged on every list request and every download.
            options.ConfigureWarnings(warnings => warnings.Ignore(CoreEventId.RowLimitingOperationWithoutOrderByWarning));
        });
        services.AddSingleton(sp => IsPostgres(sp)
            ? new DatabaseMigrator(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>())
            : new DatabaseMigrator(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (services.All(d => d.ServiceType != typeof(TimeProvider)))
            services.AddSingleton(TimeProvider.System);
    }

    private static bool IsPostgres(IServiceProvider services) =>
        services.GetRequiredService<IOptions<DatabaseOptions>>().Value.IsPostgres;

    /// <summary>The folder of the local file store: Storage:Root, or "files" under the data folder.</summary>
    public static string StorageRoot(IServiceProvider services)
    {
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var data = services.GetRequiredService<IOptions<DocketOptions>>().Value;
        return storage.Root is { Length: > 0 } root ? root : Path.Combine(data.DataDirectory, "files");
    }

    /// <summary>The embedded database's connection string: Database:ConnectionString, or docket.db under the data folder.</summary>
    public static string SqliteConnectionString(IServiceProvider services)
    {
        var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        if (database.ConnectionString is { Length: > 0 } configured) return configured;
        var data = services.GetRequiredService<IOptions<DocketOptions>>().Value;
        return new SqliteConnectionStringBuilder { DataSource = Path.Combine(data.DataDirectory, "docket.db") }.ToString();
    }
}
