using Docket.Server.Features.Accounts;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Docket.Server.Observability;
using Docket.Server.Tests.Distributed;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Observability;

public sealed class TracingTests
{
    /// <summary>
    /// The upload request carries a W3C traceparent; every span of the document's way (the request, the
    /// enqueue, the worker's claim and job, each stage) belongs to that one trace, each under its parent.
    /// </summary>
    [Fact]
    public async Task OneDocumentsWholePath_IsOneTrace()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => Tracing.Sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId) spans.Enqueue(activity);
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var factory = new DocketFactory();
        var client = factory.CreateAuthenticatedClient(Roles.Admin);

        using var upload = new HttpRequestMessage(HttpMethod.Post, "/api/v1/documents")
        {
            Content = ApiClient.Files(ApiClient.TextFile("traced.txt", "A memo that is followed from upload to the last stage.")),
        };
        upload.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await client.SendAsync(upload);
        var documentId = (await response.ReadJsonAsync(HttpStatusCode.Created)).GetProperty("documents")[0].Guid("id");
        await client.WaitForDocumentAsync(documentId, "processed");
        var all = await Wait.UntilAsync(() => Task.FromResult(spans.ToList()), s => s.Any(a => a.OperationName == "fields"), "the last stage's span");

        var http = Assert.Single(all, a => a.Source.Name == "Microsoft.AspNetCore");
        var enqueue = Assert.Single(all, a => a.OperationName == "enqueue");
        var claim = Assert.Single(all, a => a.OperationName == "claim");
        var job = Assert.Single(all, a => a.OperationName == "job");
        Assert.Equal(http.SpanId, enqueue.ParentSpanId);
        Assert.Equal(enqueue.SpanId, claim.ParentSpanId);
        Assert.Equal(enqueue.SpanId, job.ParentSpanId);
        Assert.Equal(documentId.ToString(), job.GetTagItem("docket.document.id"));
        foreach (var stage in new[] { "extract", "analyse", "categorise", "fields" })
        {
            var span = Assert.Single(all, a => a.OperationName == stage);
            Assert.Equal(job.SpanId, span.ParentSpanId);
            Assert.Equal("completed", span.GetTagItem("docket.stage.outcome"));
        }
        Assert.True(claim.StartTimeUtc <= job.StartTimeUtc);
    }

    /// <summary>With an OTLP endpoint configured, the spans reach it (a receiver of the test's own that reads the protobuf).</summary>
    [Fact]
    public async Task Spans_AreExportedOverOtlp_WhenAnEndpointIsConfigured()
    {
        var port = Ports.Free();
        using var receiver = new OtlpReceiver(port);
        // The exporter listens to the sources process-wide, so spans of other tests' servers may arrive too:
        // this document's trace is told apart by the trace id its upload starts.
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        await using (var factory = DocketFactory.Create(new Dictionary<string, string?> { ["Telemetry:OtlpEndpoint"] = $"http://127.0.0.1:{port}" }))
        {
            var client = factory.CreateAuthenticatedClient(Roles.Admin);
            using var upload = new HttpRequestMessage(HttpMethod.Post, "/api/v1/documents")
            {
                Content = ApiClient.Files(ApiClient.TextFile("exported.txt", "Spans of this document go to the collector.")),
            };
            upload.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            using var response = await client.SendAsync(upload);
            await client.WaitForDocumentAsync((await response.ReadJsonAsync(HttpStatusCode.Created)).GetProperty("documents")[0].Guid("id"), "processed");
        } // disposing the host flushes the exporter

        var spans = await Wait.UntilAsync(() => Task.FromResult(receiver.Spans.Where(s => s.TraceId == traceId).ToList()),
            s => s.Any(x => x.Name == "fields"), "this document's exported spans");
        var enqueue = Assert.Single(spans, s => s.Name == "enqueue");
        var job = Assert.Single(spans, s => s.Name == "job");
        Assert.Equal(enqueue.SpanId, job.ParentSpanId);
        Assert.Equal(enqueue.SpanId, Assert.Single(spans, s => s.Name == "claim").ParentSpanId);
        foreach (var stage in new[] { "extract", "analyse", "categorise", "fields" })
            Assert.Equal(job.SpanId, Assert.Single(spans, s => s.Name == stage).ParentSpanId);
        Assert.Contains("/v1/traces", receiver.Paths);
    }

    private sealed record ExportedSpan(string TraceId, string SpanId, string ParentSpanId, string Name);

    /// <summary>An OTLP/HTTP receiver: POST /v1/traces with an ExportTraceServiceRequest in protobuf; answers 200.</summary>
    private sealed class OtlpReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public OtlpReceiver(int port)
        {
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception) when (!_listener.IsListening)
                    {
                        return;
                    }
                    using var body = new MemoryStream();
                    await context.Request.InputStream.CopyToAsync(body);
                    Paths.Add(context.Request.Url!.AbsolutePath);
                    foreach (var span in ReadRequest(body.ToArray())) Spans.Add(span);
                    context.Response.StatusCode = 200;
                    context.Response.ContentType = "application/x-protobuf";
                    context.Response.Close();
                }
            });
        }

        public ConcurrentBag<ExportedSpan> Spans { get; } = [];

        public ConcurrentBag<string> Paths { get; } = [];

        // ExportTraceServiceRequest.resource_spans = 1; ResourceSpans.scope_spans = 2; ScopeSpans.spans = 2;
        // Span: trace_id = 1, span_id = 2, parent_span_id = 4, name = 5.
        private static IEnumerable<ExportedSpan> ReadRequest(byte[] request) =>
            from resourceSpans in Fields(request, 1)
            from scopeSpans in Fields(resourceSpans, 2)
            from span in Fields(scopeSpans, 2)
            select new ExportedSpan(
                Convert.ToHexStringLower(Fields(span, 1).FirstOrDefault() ?? []),
                Convert.ToHexStringLower(Fields(span, 2).FirstOrDefault() ?? []),
                Convert.ToHexStringLower(Fields(span, 4).FirstOrDefault() ?? []),
                System.Text.Encoding.UTF8.GetString(Fields(span, 5).FirstOrDefault() ?? []));

        /// <summary>The length-delimited values of field <paramref name="number"/> in a protobuf message; other fields are skipped.</summary>
        private static List<byte[]> Fields(byte[] message, int number)
        {
            var found = new List<byte[]>();
            var position = 0;
            while (position < message.Length)
            {
                var key = ReadVarint(message, ref position);
                var (field, wireType) = ((int)(key >> 3), (int)(key & 7));
                switch (wireType)
                {
                    case 0: ReadVarint(message, ref position); break;
                    case 1: position += 8; break;
                    case 5: position += 4; break;
                    case 2:
                        var length = (int)ReadVarint(message, ref position);
                        if (field == number) found.Add(message[position..(position + length)]);
                        position += length;
                        break;
                    default: throw new InvalidDataException($"Wire type {wireType} is not protobuf 3.");
                }
            }
            return found;
        }

        private static ulong ReadVarint(byte[] message, ref int position)
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = message[position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            try
            {
                _loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }
        }
    }
}
