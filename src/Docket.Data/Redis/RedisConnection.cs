using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Docket.Data.Redis;

/// <summary>
/// One TCP connection speaking RESP2. Not thread-safe: each connection has one writer and one reader
/// (the publisher and the subscriber each own theirs). Any error leaves it unusable; callers reconnect.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;

    private RedisConnection(Socket socket, RedisOptions options)
    {
        _socket = socket;
        Options = options;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream);
        _output = PipeWriter.Create(_stream);
    }

    public RedisOptions Options { get; }

    /// <summary>Where commands are written; nothing is sent until <see cref="FlushAsync"/>.</summary>
    public IBufferWriter<byte> Output => _output;

    /// <summary>Connects, logs in when a password is configured, and proves the server answers with a PING.</summary>
    /// <summary>Connects, waiting with backoff after each failure; null once <paramref name="stop"/> is cancelled.</summary>
    internal static async Task<RedisConnection?> ConnectWithRetriesAsync(RedisOptions options, Backoff backoff, ILogger log, string role,
        CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var connection = await ConnectAsync(options, stop);
                backoff.Reset();
                return connection;
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                log.LogWarning("Redis {Role} cannot connect: {Reason}; retrying", role, ex.Message);
                await backoff.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
        return null;
    }

    public static async Task<RedisConnection> ConnectAsync(RedisOptions options, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connectTimeout.CancelAfter(options.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(options.Host, options.Port, connectTimeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                throw new RedisException($"Connecting to Redis at {options} timed out after {options.ConnectTimeout.TotalMilliseconds:0} ms.");
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                throw new RedisException($"Cannot connect to Redis at {options}: {ex.Message}", ex);
            }
        }

        var connection = new RedisConnection(socket, options);
        try
        {
            if (options.Password is not null)
            {
                if (options.User is not null) RespWriter.WriteCommand(connection.Output, "AUTH", options.User, options.Password);
                else RespWriter.WriteCommand(connection.Output, "AUTH", options.Password);
            }
            RespWriter.WriteCommand(connection.Output, "PING");
            await connection.FlushAsync(cancellationToken);

            if (options.Password is not null)
            {
                var auth = await connection.ReadWithTimeoutAsync(cancellationToken);
                if (auth.Kind == RespKind.Error)
                    throw new RedisException($"Redis at {options} refused the login{(options.User is null ? "" : $" of user '{options.User}'")}: {auth.Text}");
            }
            var pong = await connection.ReadWithTimeoutAsync(cancellationToken);
            if (pong.Kind == RespKind.Error)
                throw pong.Text?.StartsWith("NOAUTH", StringComparison.Ordinal) == true
                    ? new RedisException($"Redis at {options} requires a password: add password=... to the connection string.")
                    : new RedisException($"Redis at {options} answered PING with an error: {pong.Text}");
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

    /// <summary>The next reply or push message; throws <see cref="EndOfStreamException"/> when the server closed the connection.</summary>
    public async ValueTask<RespValue> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (RespParser.TryRead(ref buffer, out var value))
            {
                _input.AdvanceTo(buffer.Start);
                return value!;
            }
            // Nothing consumed, everything examined: wait for more bytes instead of parsing the same prefix again.
            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
                throw new EndOfStreamException($"Redis at {Options} closed the connection.");
        }
    }

    private async ValueTask<RespValue> ReadWithTimeoutAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.CommandTimeout);
        try
        {
            return await ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RedisException($"Redis at {Options} did not answer within {Options.CommandTimeout.TotalMilliseconds:0} ms.");
        }
    }

    /// <summary>Breaks the connection from any thread, so a reader blocked on it fails at once.</summary>
    public void Abort()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed: the reader fails either way.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Abort();
        // Completing the writer flushes what is buffered, which fails on a broken socket; nothing is waiting for it.
        try
        {
            await _output.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
        }
        await _input.CompleteAsync();
        await _stream.DisposeAsync();
    }
}
