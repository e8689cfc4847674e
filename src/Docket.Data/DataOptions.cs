using System.ComponentModel.DataAnnotations;
using Docket.Data.Events;
using Docket.Data.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Docket.Data;

/// <summary>Section "Database". The defaults run the embedded mode.</summary>
public sealed class DatabaseOptions : IValidatableObject
{
    public const string Section = "Database";

    /// <summary>"sqlite" (embedded) or "postgres" / "postgresql" (distributed), any letter case.</summary>
    [Required]
    public string Provider { get; set; } = "sqlite";

    /// <summary>SQLite: empty means a file under the data folder. PostgreSQL: an Npgsql connection string, required.</summary>
    public string? ConnectionString { get; set; }

    public bool IsPostgres => Provider.Equals("postgres", StringComparison.OrdinalIgnoreCase)
        || Provider.Equals("postgresql", StringComparison.OrdinalIgnoreCase);

    public bool IsSqlite => Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsSqlite && !IsPostgres)
            yield return new ValidationResult(
                $"Database:Provider '{Provider}' is not known; use 'sqlite' (embedded) or 'postgres' (distributed).",
                [nameof(Provider)]);
        else if (IsPostgres && string.IsNullOrWhiteSpace(ConnectionString))
            yield return new ValidationResult(
                "Database:ConnectionString is required when Database:Provider is 'postgres', e.g. "
                + "'Host=db.internal;Database=docket;Username=docket;Password=...'.",
                [nameof(ConnectionString)]);
    }
}

/// <summary>Section "Storage".</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    [Required, AllowedValues("local", "Local")]
    public string Provider { get; set; } = "local";

    /// <summary>Empty: "files" under the data folder.</summary>
    public string? Root { get; set; }
}

/// <summary>Section "Bus": "inprocess" (one process) or "redis" (pub/sub shared by every node).</summary>
public sealed class BusOptions : IValidatableObject
{
    public const string Section = "Bus";

    [Required, AllowedValues("inprocess", "InProcess", "redis", "Redis")]
    public string Provider { get; set; } = "inprocess";

    /// <summary>
    /// With Provider "redis": <c>host:port[,password=...][,user=...][,connectTimeout=ms][,commandTimeout=ms]</c>
    /// (see <see cref="RedisOptions"/>).
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>Messages one listener may have unread before it is cut loose and replays from the database.</summary>
    [Range(1, 1_000_000)]
    public int SubscriberCapacity { get; set; } = 4096;

    public bool UsesRedis => string.Equals(Provider, "redis", StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!UsesRedis) yield break;
        if (string.IsNullOrWhiteSpace(Redis))
            yield return new ValidationResult("Bus:Provider is \"redis\" but Bus:Redis is empty; set it to host:port[,password=...].", [nameof(Redis)]);
        else if (!RedisOptions.TryParse(Redis, out _, out var error))
            yield return new ValidationResult($"Bus:Redis is invalid: {error}", [nameof(Redis)]);
    }

    /// <summary>The configured bus; the Redis one starts connecting in the background at once.</summary>
    public IEventBus CreateBus(IServiceProvider services) => UsesRedis
        ? new RedisEventBus(RedisOptions.Parse(Redis!), SubscriberCapacity, services.GetService<ILogger<RedisEventBus>>())
        : new InProcessEventBus(SubscriberCapacity);
}

/// <summary>Section "Docket": where embedded-mode state lives.</summary>
public sealed class DocketOptions
{
    public const string Section = "Docket";

    [Required]
    public string DataDirectory { get; set; } = "data";
}
