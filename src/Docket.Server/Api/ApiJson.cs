using System.Text.Json;
using System.Text.Json.Serialization;

namespace Docket.Server.Api;

public static class ApiJson
{
    /// <summary>snake_case names and enum values, as in DESIGN.md's payloads.</summary>
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.MaxDepth = 64;
        return options;
    }
}
