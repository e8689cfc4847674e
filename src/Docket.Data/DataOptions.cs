using System.ComponentModel.DataAnnotations;

namespace Docket.Data;

/// <summary>Section "Database". The defaults run the embedded mode.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    [Required, AllowedValues("sqlite", "Sqlite", "SQLite")]
    public string Provider { get; set; } = "sqlite";

    /// <summary>Empty: a SQLite file under the data folder.</summary>
    public string? ConnectionString { get; set; }
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
