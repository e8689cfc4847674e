using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Docket.Data.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Docket.Server.Observability;

/// <summary>
/// One JSON object per line: timestamp, level, category, message, and the ids an operator searches by
/// (request_id, document_id, job_id, trace_id, span_id) at the top level wherever they are known,
/// from the message's own values, the current activity (the request's X-Request-ID rides on it as
/// baggage) or the log scopes (a running job's). Other values of the message go under "fields".
/// </summary>
public sealed class JsonLogFormatter() : ConsoleFormatter(Name)
{
    public new const string Name = "docket-json";

    /// <summary>A log line is read by people and log shippers, not embedded in HTML: quotes and accents stay as they are.</summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly (string Key, string Field)[] Promoted =
    [
        ("RequestId", "request_id"), ("request_id", "request_id"),
        ("DocumentId", "document_id"), ("document_id", "document_id"),
        ("JobId", "job_id"), ("job_id", "job_id"),
    ];

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null) return;

        // Later sources win: the scopes, then the request id on the activity (ASP.NET Core's own request scope
        // names the connection's id, not the X-Request-ID), then the message's own values.
        var ids = new Dictionary<string, string>(3);
        scopeProvider?.ForEachScope((scope, found) => Collect(scope, found, null), ids);
        var activity = Activity.Current;
        if (activity?.GetBaggageItem(DocketTracing.RequestIdBaggage) is { } requestId) ids["request_id"] = requestId;
        var fields = new List<KeyValuePair<string, object?>>();
        Collect(logEntry.State, ids, fields);

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("level", Level(logEntry.LogLevel));
            json.WriteString("category", logEntry.Category);
            json.WriteString("message", message ?? logEntry.Exception!.Message);
            foreach (var (field, value) in ids) json.WriteString(field, value);
            if (activity is not null && activity.IdFormat == ActivityIdFormat.W3C)
            {
                json.WriteString("trace_id", activity.TraceId.ToHexString());
                json.WriteString("span_id", activity.SpanId.ToHexString());
            }
            if (logEntry.EventId.Id != 0) json.WriteNumber("event_id", logEntry.EventId.Id);
            if (fields.Count > 0)
            {
                json.WriteStartObject("fields");
                foreach (var (key, value) in fields) WriteValue(json, key, value);
                json.WriteEndObject();
            }
            if (logEntry.Exception is { } exception) json.WriteString("exception", exception.ToString());
            json.WriteEndObject();
        }
        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write('\n');
    }

    /// <summary>Known ids go to <paramref name="ids"/> (the innermost, i.e. last, wins); the rest to <paramref name="fields"/>.</summary>
    private static void Collect(object? state, Dictionary<string, string> ids, List<KeyValuePair<string, object?>>? fields)
    {
        if (state is not IEnumerable<KeyValuePair<string, object?>> values) return;
        foreach (var (key, value) in values)
        {
            if (key == "{OriginalFormat}") continue;
            var promoted = Array.FindIndex(Promoted, p => p.Key == key);
            if (promoted >= 0)
            {
                if (value is not null && Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) is { Length: > 0 } text)
                    ids[Promoted[promoted].Field] = text;
            }
            else
            {
                fields?.Add(new KeyValuePair<string, object?>(key, value));
            }
        }
    }

    private static void WriteValue(Utf8JsonWriter json, string key, object? value)
    {
        switch (value)
        {
            case null: json.WriteNull(key); break;
            case bool flag: json.WriteBoolean(key, flag); break;
            case int or long or short or byte or uint or ulong: json.WriteNumber(key, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case double or float or decimal: json.WriteNumber(key, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case TimeSpan span: json.WriteNumber(key + "_ms", span.TotalMilliseconds); break;
            default: json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "none",
    };
}
