using System.Collections.Concurrent;
using System.Text.Json;

namespace Docket.Server.Cli;

/// <summary>
/// Follows many documents over one change feed (`GET /api/v1/events/stream`), instead of a stream per document:
/// a pile of a thousand files is one connection, not a thousand. Opened before the uploads, so nothing that happens
/// to them is missed; a dropped connection resumes with Last-Event-ID. Whenever the feed may have missed something
/// (it asked to resync, it reconnected, or a while passed quietly) the documents still followed are asked for their
/// status, so a follower never waits on a frame that will not come.
/// </summary>
public sealed class ChangeFeedWatch : IAsyncDisposable
{
    private static readonly string[] ActiveStatuses = ["uploaded", "queued", "processing"];

    /// <summary>How long the feed may be quiet before the followed documents are asked for their status anyway.</summary>
    private static readonly TimeSpan QuietCheck = TimeSpan.FromSeconds(15);

    private sealed record Follower(Action<ProgressUpdate> Report, TaskCompletionSource<JsonElement> Ended);

    private readonly DocketClient _client;
    private readonly ConcurrentDictionary<Guid, Follower> _followers = new();
    private readonly CancellationTokenSource _stop;
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reading;
    private string? _lastEventId;
    private volatile Exception? _failed;

    private ChangeFeedWatch(DocketClient client, CancellationToken cancellationToken)
    {
        _client = client;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _reading = ReadAsync(_stop.Token);
    }

    /// <summary>Opens the feed; returns once the server has answered, so what follows is on it.</summary>
    public static async Task<ChangeFeedWatch> OpenAsync(DocketClient client, CancellationToken cancellationToken)
    {
        var watch = new ChangeFeedWatch(client, cancellationToken);
        await Task.WhenAny(watch._opened.Task, watch._reading);
        if (watch._reading.IsFaulted) await watch._reading;
        return watch;
    }

    /// <summary>Reports the document's progress until its processing has ended, and returns its final status.</summary>
    public async Task<JsonElement> FollowAsync(Guid documentId, Action<ProgressUpdate> report, CancellationToken cancellationToken)
    {
        if (_failed is { } failed) throw failed;
        var follower = new Follower(report, new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously));
        _followers[documentId] = follower;
        // The feed may have given up between the check above and now.
        if (_failed is { } late && _followers.TryRemove(documentId, out _)) throw late;
        // It may have ended before it was followed.
        await CheckAsync(documentId, follower, cancellationToken);
        return await follower.Ended.Task.WaitAsync(cancellationToken);
    }

    private async Task CheckAsync(Guid documentId, Follower follower, CancellationToken cancellationToken)
    {
        var status = await _client.GetAsync($"api/v1/documents/{documentId}/status", cancellationToken);
        if (ActiveStatuses.Contains(status.GetProperty("status").GetString())) return;
        _followers.TryRemove(documentId, out _);
        follower.Ended.TrySetResult(status);
    }

    private Task CheckAllAsync(CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(_followers.ToArray(), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            (entry, token) => new ValueTask(CheckAsync(entry.Key, entry.Value, token)));

    /// <summary>
    /// The feed's reading; when it gives up (the server refuses it, or cannot be reached for long), every follower is told
    /// so at once, rather than waiting for a frame that cannot come.
    /// </summary>
    private async Task ReadAsync(CancellationToken stop)
    {
        try
        {
            await ReadUntilStoppedAsync(stop);
        }
        catch (Exception error) when (!stop.IsCancellationRequested)
        {
            _failed = error;
            foreach (var (id, follower) in _followers.ToArray())
                if (_followers.TryRemove(id, out _)) follower.Ended.TrySetException(error);
            throw;
        }
    }

    private async Task ReadUntilStoppedAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ReadOnceAsync(stop);
                failures = 0;
            }
            catch (Exception error) when (error is HttpRequestException or IOException && !stop.IsCancellationRequested && ++failures < 10)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * failures), stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            // Whatever happened while the feed was away is in the documents' status.
            if (!stop.IsCancellationRequested) await CheckAllAsync(stop);
        }
    }

    private async Task ReadOnceAsync(CancellationToken stop)
    {
        using var response = await _client.OpenStreamAsync("api/v1/events/stream", _lastEventId, stop);
        _opened.TrySetResult();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop));
        string? eventName = null;
        string? data = null;
        Task<string?>? pending = null;
        while (true)
        {
            // A quiet feed is normal (the server sends keep-alive comments); one quiet for long is checked against the status.
            pending ??= reader.ReadLineAsync(stop).AsTask();
            if (await Task.WhenAny(pending, Task.Delay(QuietCheck, stop)) != pending)
            {
                await CheckAllAsync(stop);
                continue;
            }
            var line = await pending;
            pending = null;
            if (line is null) return;
            if (line.Length == 0)
            {
                if (data is not null) await DispatchAsync(eventName, data, stop);
                eventName = data = null;
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal)) eventName = line[6..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal)) data = line[5..].Trim();
            else if (line.StartsWith("id:", StringComparison.Ordinal)) _lastEventId = line[3..].Trim();
        }
    }

    private async Task DispatchAsync(string? eventName, string data, CancellationToken stop)
    {
        if (eventName == "resync")
        {
            await CheckAllAsync(stop);
            return;
        }
        var payload = JsonDocument.Parse(data).RootElement;
        if (eventName == "document")
        {
            // A document's list entry: its status as it now stands.
            if (!payload.TryGetProperty("id", out var id) || !_followers.TryGetValue(id.GetGuid(), out var follower)) return;
            var status = payload.GetProperty("status").GetString() ?? "unknown";
            follower.Report(new ProgressUpdate(id.GetGuid(), status, status is "processed" or "finalized" ? 100 : payload.GetProperty("progress").GetInt32(), null));
            if (!ActiveStatuses.Contains(status)) await CheckAsync(id.GetGuid(), follower, stop);
            return;
        }
        if (!payload.TryGetProperty("document_id", out var documentId) || !_followers.TryGetValue(documentId.GetGuid(), out var followed)) return;
        var update = DocketClient.ProgressOf(documentId.GetGuid(), payload, out var ended);
        followed.Report(update);
        // A failed attempt may be retried: the status says whether processing has really ended.
        if (ended) await CheckAsync(documentId.GetGuid(), followed, stop);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
