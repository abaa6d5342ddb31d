using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyAction.GitHubEmulator.Contract;

/// <summary>
/// Builds a minimal value that satisfies a schema (every required property, typed placeholders), so the
/// double's responses carry all of GitHub's required fields; the double then overlays its real state.
/// </summary>
public static class SchemaExample
{
    public static JsonNode? Generate(JsonElement schema, int depth = 0)
    {
        if (schema.ValueKind != JsonValueKind.Object || depth > 12)
        {
            return null;
        }

        if (schema.TryGetProperty("allOf", out var allOf))
        {
            var merged = new JsonObject();
            foreach (var part in allOf.EnumerateArray())
            {
                if (Generate(part, depth + 1) is JsonObject obj)
                {
                    Overlay(merged, obj);
                }
            }

            return merged;
        }

        foreach (var keyword in new[] { "oneOf", "anyOf" })
        {
            if (schema.TryGetProperty(keyword, out var options))
            {
                return Generate(options.EnumerateArray().First(), depth + 1);
            }
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            return JsonNode.Parse(values.EnumerateArray().First(v => v.ValueKind != JsonValueKind.Null).GetRawText());
        }

        var type = schema.TryGetProperty("type", out var t) ? t.GetString() : schema.TryGetProperty("properties", out _) ? "object" : null;
        switch (type)
        {
            case "object":
                var result = new JsonObject();
                if (schema.TryGetProperty("required", out var required) && schema.TryGetProperty("properties", out var properties))
                {
                    foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                    {
                        result[name] = properties.TryGetProperty(name, out var property) ? Generate(property, depth + 1) : null;
                    }
                }

                return result;
            case "array":
                var array = new JsonArray();
                var min = schema.TryGetProperty("minItems", out var minItems) ? minItems.GetInt32() : 0;
                for (var i = 0; i < min && schema.TryGetProperty("items", out var items); i++)
                {
                    array.Add(Generate(items, depth + 1));
                }

                return array;
            case "string":
                var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
                return format switch
                {
                    "date-time" => "2026-01-01T00:00:00Z",
                    "uri" => "https://example.invalid/",
                    "email" => "octocat@example.invalid",
                    _ => "x",
                };
            case "integer":
                return schema.TryGetProperty("minimum", out var minimum) ? minimum.GetInt64() : 1;
            case "number":
                return 1.0;
            case "boolean":
                return false;
            default:
                return null;
        }
    }

    /// <summary>Copies every property of <paramref name="source"/> onto <paramref name="target"/>, merging nested objects.</summary>
    public static void Overlay(JsonObject target, JsonObject source)
    {
        foreach (var (name, value) in source.ToArray())
        {
            if (value is JsonObject child && target[name] is JsonObject existing)
            {
                Overlay(existing, child);
            }
            else
            {
                target[name] = value?.DeepClone();
            }
        }
    }
}
