using System.ComponentModel.DataAnnotations;

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

/// <summary>Section "Bus".</summary>
public sealed class BusOptions
{
    public const string Section = "Bus";

    [Required, AllowedValues("inprocess", "InProcess")]
    public string Provider { get; set; } = "inprocess";
}

/// <summary>Section "Docket": where embedded-mode state lives.</summary>
public sealed class DocketOptions
{
    public const string Section = "Docket";

    [Required]
    public string DataDirectory { get; set; } = "data";
}
