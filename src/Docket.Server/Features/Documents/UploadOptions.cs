using System.ComponentModel.DataAnnotations;

namespace Docket.Server.Features.Documents;

/// <summary>Section "Uploads".</summary>
public sealed class UploadOptions
{
    public const string Section = "Uploads";

    /// <summary>Largest accepted file, in bytes (default 50 MB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 50L * 1024 * 1024;

    [Range(1, 1000)]
    public int MaxFilesPerRequest { get; set; } = 100;
}
