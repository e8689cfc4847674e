using System.Net;
using System.Text;
using System.Text.Json;

namespace Docket.Server.Tests.Infrastructure;

/// <summary>One server-sent event frame; a frame with only comment lines is a keep-alive.</summary>
public sealed record SseFrame(string? Id, string? Event, string? Data, IReadOnlyList<string> Comments)
{
    public JsonElement Json => JsonDocument.Parse(Data ?? throw new InvalidOperationException("The frame has no data.")).RootElement.Clone();

    public bool IsCommentOnly => Data is null && Event is null && Id is null && Comments.Count > 0;
}

/// <summary>
/// An open SSE connection, read frame by frame as a browser's EventSource would. The whole
/// connection has a deadline, not just each read: keep-alive comments would otherwise keep a
/// test waiting for an event that never comes alive forever.
/// </summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly CancellationTokenSource _deadline = new(Wait.Deadline);

    private EventStream(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body, Encoding.UTF8);
    }

    public HttpResponseMessage Response => _response;

    public static async Task<EventStream> OpenAsync(HttpClient client, string path, long? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is { } id) request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new EventStream(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next frame, or null when the server closed the stream.</summary>
    public async Task<SseFrame?> ReadFrameAsync()
    {
        string? id = null, name = null;
        StringBuilder? data = null;
        var comments = new List<string>();
        var any = false;
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(_deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The SSE stream did not get there within {Wait.Deadline.TotalSeconds} s.");
            }
            if (line is null) return any ? new SseFrame(id, name, data?.ToString(), comments) : null;
            if (line.Length == 0)
            {
                if (any) return new SseFrame(id, name, data?.ToString(), comments);
                continue;
            }
            any = true;
            if (line.StartsWith(':')) comments.Add(line[1..].Trim());
            else if (line.StartsWith("id:", StringComparison.Ordinal)) id = line[3..].TrimStart();
            else if (line.StartsWith("event:", StringComparison.Ordinal)) name = line[6..].TrimStart();
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                if (data is null) data = new StringBuilder();
                else data.Append('\n');
                data.Append(line[5..].TrimStart());
            }
        }
    }

    /// <summary>Reads frames until <paramref name="stop"/> holds for one (returned last) or the stream ends.</summary>
    public async Task<List<SseFrame>> ReadUntilAsync(Func<SseFrame, bool> stop)
    {
        var frames = new List<SseFrame>();
        while (await ReadFrameAsync() is { } frame)
        {
            frames.Add(frame);
            if (stop(frame)) break;
        }
        return frames;
    }

    /// <summary>Reads to the end, as the server closes the stream after a terminal event.</summary>
    public Task<List<SseFrame>> ReadToEndAsync() => ReadUntilAsync(_ => false);

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        _deadline.Dispose();
        return ValueTask.CompletedTask;
    }
}
