using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Docket.Core.Pipeline;

/// <summary>
/// What each stage added to the <see cref="PipelineContext"/>, kept so a later job can start at any
/// stage without redoing the ones before it. Generic on purpose: every public settable property of
/// the context is an output, and a property belongs to the stage that set it, so a stage or output
/// added later is kept without any change here. Values must survive a JSON round trip (records,
/// lists, dictionaries; abstract records whose cases are nested or in the same assembly).
/// </summary>
public sealed class StageOutputs
{
    private static readonly PropertyInfo[] Outputs = typeof(PipelineContext)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.SetMethod is { IsPublic: true } && p.GetMethod is { IsPublic: true })
        .ToArray();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { DeclareSubtypes } },
    };

    private readonly List<(string Stage, Dictionary<PropertyInfo, object?> Values)> _stages = [];
    private object?[]? _before;

    /// <summary>Stages whose outputs are here, in the order they ran (restored ones first).</summary>
    public IEnumerable<string> Stages => _stages.Select(s => s.Stage);

    internal void BeforeStage(PipelineContext context)
    {
        _before ??= new object?[Outputs.Length];
        for (var i = 0; i < Outputs.Length; i++) _before[i] = Outputs[i].GetValue(context);
    }

    /// <summary>Reference comparison: a stage that sets a property sets a new object; nothing is serialised here.</summary>
    internal void AfterStage(string stage, PipelineContext context)
    {
        var values = new Dictionary<PropertyInfo, object?>();
        for (var i = 0; i < Outputs.Length; i++)
        {
            var value = Outputs[i].GetValue(context);
            if (!ReferenceEquals(value, _before![i])) values[Outputs[i]] = value;
        }
        _stages.RemoveAll(s => s.Stage == stage);
        _stages.Add((stage, values));
    }

    /// <summary><c>{"stage": {"property": value}}</c> for every stage that completed.</summary>
    public string ToJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (stage, values) in _stages)
            {
                writer.WriteStartObject(stage);
                foreach (var (property, value) in values)
                {
                    writer.WritePropertyName(property.Name);
                    JsonSerializer.Serialize(writer, value, property.PropertyType, Json);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Puts the outputs of <paramref name="stages"/> (in order) back on the context. Refuses, naming the
    /// first missing stage, when <paramref name="json"/> does not hold all of them.
    /// </summary>
    public static bool TryRestore(PipelineContext context, string? json, IEnumerable<string> stages, out string? missingStage)
    {
        missingStage = null;
        var root = json is null ? null : JsonNode.Parse(json) as JsonObject;
        foreach (var stage in stages)
        {
            if (root?[stage] is not JsonObject outputs)
            {
                missingStage = stage;
                return false;
            }
            var values = new Dictionary<PropertyInfo, object?>();
            foreach (var (name, node) in outputs)
            {
                // A property that no longer exists is an output nobody reads any more.
                if (Outputs.FirstOrDefault(p => p.Name == name) is not { } property) continue;
                var value = node?.Deserialize(property.PropertyType, Json);
                property.SetValue(context, value);
                values[property] = value;
            }
            context.StageOutputs._stages.Add((stage, values));
        }
        return true;
    }

    /// <summary>An abstract type's cases are told apart by a "$type" property naming the case.</summary>
    private static void DeclareSubtypes(JsonTypeInfo info)
    {
        if (!info.Type.IsAbstract || info.Kind != JsonTypeInfoKind.Object) return;
        var cases = info.Type.Assembly.GetTypes().Where(t => !t.IsAbstract && t.IsSubclassOf(info.Type)).ToList();
        if (cases.Count == 0) return;
        info.PolymorphismOptions = new JsonPolymorphismOptions { UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization };
        foreach (var type in cases) info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type, type.Name));
    }
}
