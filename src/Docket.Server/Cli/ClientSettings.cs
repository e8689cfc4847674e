using System.Text.Json;
using System.Text.Json.Serialization;

namespace Docket.Server.Cli;

/// <summary>What `docket login` remembers: the server and the tokens, in the user's config folder, readable by the user alone.</summary>
public sealed record StoredLogin(
    [property: JsonPropertyName("server")] string? Server,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("expires_at")] DateTimeOffset? ExpiresAt);

public static class ClientSettings
{
    public const string ServerVariable = "DOCKET_SERVER";
    public const string DefaultServer = "http://127.0.0.1:8080";

    /// <summary>$DOCKET_CONFIG_DIR, else $XDG_CONFIG_HOME/docket, else ~/.config/docket.</summary>
    public static string ConfigDirectory =>
        Environment.GetEnvironmentVariable("DOCKET_CONFIG_DIR") is { Length: > 0 } explicitDirectory
            ? explicitDirectory
            : Path.Combine(
                Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
                    ? xdg
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"),
                "docket");

    private static string LoginFile => Path.Combine(ConfigDirectory, "login.json");

    /// <summary>--server wins, then $DOCKET_SERVER, then the server of the last login, then the local default.</summary>
    public static Uri ResolveServer(string? option)
    {
        var text = option ?? Environment.GetEnvironmentVariable(ServerVariable) ?? Load()?.Server ?? DefaultServer;
        if (!Uri.TryCreate(text.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException($"'{text}' is not a server address; give one like {DefaultServer}.");
        return uri;
    }

    public static StoredLogin? Load()
    {
        try
        {
            return File.Exists(LoginFile) ? JsonSerializer.Deserialize<StoredLogin>(File.ReadAllText(LoginFile)) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Written to a new file with mode 0600 and renamed over the old one, so the tokens are never readable by others.</summary>
    public static void Save(StoredLogin login)
    {
        Directory.CreateDirectory(ConfigDirectory);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(ConfigDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temporary = LoginFile + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
            JsonSerializer.Serialize(stream, login, new JsonSerializerOptions { WriteIndented = true });
        File.Move(temporary, LoginFile, overwrite: true);
    }

    public static void Forget()
    {
        if (File.Exists(LoginFile)) File.Delete(LoginFile);
    }
}

/// <summary>The command line was wrong (exit code 2), as opposed to a document or the server failing (exit code 1).</summary>
public sealed class UsageException(string message) : Exception(message);
