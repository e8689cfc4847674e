using System.Globalization;

namespace Docket.Data.Redis;

/// <summary>
/// Where the Redis server is and how long to wait for it, parsed from one connection string:
/// <c>host:port[,password=...][,user=...][,connectTimeout=ms][,commandTimeout=ms]</c>.
/// </summary>
public sealed record RedisOptions
{
    public const int DefaultPort = 6379;

    public required string Host { get; init; }
    public int Port { get; init; } = DefaultPort;

    /// <summary>With <see cref="User"/> this is an ACL login (Redis 6+); alone it is the legacy requirepass.</summary>
    public string? Password { get; init; }
    public string? User { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a sent command may wait for its reply before the connection counts as dead.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest pause between reconnection attempts (the backoff starts small and doubles up to it).</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Publishes waiting to be written; when full, new ones are dropped (a lost signal only delays).</summary>
    public int PublishQueueCapacity { get; init; } = 10_000;

    public override string ToString() => $"{Host}:{Port}";

    public static RedisOptions Parse(string connectionString)
    {
        if (!TryParse(connectionString, out var options, out var error)) throw new FormatException(error);
        return options;
    }

    public static bool TryParse(string? connectionString, out RedisOptions options, out string error)
    {
        options = null!;
        error = "";
        var parts = (connectionString ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0].Contains('='))
        {
            error = "The Redis connection string must start with host:port, e.g. \"127.0.0.1:6379,password=secret\".";
            return false;
        }

        var endpoint = parts[0];
        var host = endpoint;
        var port = DefaultPort;
        var colon = endpoint.LastIndexOf(':');
        if (colon >= 0)
        {
            host = endpoint[..colon];
            if (!int.TryParse(endpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                error = $"'{endpoint[(colon + 1)..]}' in the Redis connection string is not a port number.";
                return false;
            }
        }
        if (host.Length == 0)
        {
            error = "The Redis connection string names no host.";
            return false;
        }

        var result = new RedisOptions { Host = host, Port = port };
        foreach (var part in parts.Skip(1))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0)
            {
                error = $"'{part}' in the Redis connection string is not key=value.";
                return false;
            }
            var key = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            switch (key.ToLowerInvariant())
            {
                case "password": result = result with { Password = value }; break;
                case "user" or "username": result = result with { User = value }; break;
                case "connecttimeout" when TryMilliseconds(value, out var t): result = result with { ConnectTimeout = t }; break;
                case "commandtimeout" or "synctimeout" when TryMilliseconds(value, out var t): result = result with { CommandTimeout = t }; break;
                case "maxreconnectdelay" when TryMilliseconds(value, out var t): result = result with { MaxReconnectDelay = t }; break;
                case "publishqueue" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    result = result with { PublishQueueCapacity = n };
                    break;
                case "connecttimeout" or "commandtimeout" or "synctimeout" or "maxreconnectdelay" or "publishqueue":
                    error = $"'{value}' is not a positive number for '{key}' in the Redis connection string.";
                    return false;
                default:
                    error = $"Unknown setting '{key}' in the Redis connection string (known: password, user, connectTimeout, commandTimeout, maxReconnectDelay, publishQueue).";
                    return false;
            }
        }
        if (result.User is not null && result.Password is null)
        {
            error = "The Redis connection string names a user but no password.";
            return false;
        }
        options = result;
        return true;
    }

    private static bool TryMilliseconds(string value, out TimeSpan timeSpan)
    {
        var ok = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0;
        timeSpan = TimeSpan.FromMilliseconds(ms);
        return ok;
    }
}

/// <summary>The server refused something (an error reply), or did not answer in time.</summary>
public sealed class RedisException(string message, Exception? inner = null) : Exception(message, inner);
