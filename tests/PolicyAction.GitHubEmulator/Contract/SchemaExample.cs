using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyAction.GitHubEmulator.Contract;

/// <summary>Where invented values point: the double's API root, the repository's API URL and its web URL.</summary>
public sealed record ExampleValues(string Api, string RepoApi, string Html, string Owner)
{
    public static ExampleValues GitHub { get; } = new("https://api.github.com", "https://api.github.com/repos/octo-org/octo-repo", "https://github.com/octo-org/octo-repo", "octo-org");
}

/// <summary>
/// Builds a minimal value that satisfies a schema (every required property, typed placeholders), so the
/// double's responses carry all of GitHub's required fields; the double then overlays its real state. The
/// placeholders look like GitHub's (URLs under the API root, 40-hex SHAs, node ids, times), so a client that reads
/// a field the double does not model sees a value of the right shape, not "x".
/// </summary>
public static class SchemaExample
{
    public static JsonNode? Generate(JsonElement schema, ExampleValues? values = null) => Generate(schema, values ?? ExampleValues.GitHub, null, 0);

    private static JsonNode? Generate(JsonElement schema, ExampleValues examples, string? name, int depth)
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
                if (Generate(part, examples, name, depth + 1) is JsonObject obj)
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
                return Generate(options.EnumerateArray().First(), examples, name, depth + 1);
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
                    foreach (var key in required.EnumerateArray().Select(r => r.GetString()!))
                    {
                        result[key] = properties.TryGetProperty(key, out var property) ? Generate(property, examples, key, depth + 1) : null;
                    }
                }

                return result;
            case "array":
                var array = new JsonArray();
                var min = schema.TryGetProperty("minItems", out var minItems) ? minItems.GetInt32() : 0;
                for (var i = 0; i < min && schema.TryGetProperty("items", out var items); i++)
                {
                    array.Add(Generate(items, examples, name, depth + 1));
                }

                return array;
            case "string":
                return Text(name ?? string.Empty, schema.TryGetProperty("format", out var f) ? f.GetString() : null, examples);
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

    /// <summary>A placeholder string shaped as GitHub's value of that name and format would be.</summary>
    private static string Text(string name, string? format, ExampleValues values)
    {
        if (format == "date-time" || name.EndsWith("_at", StringComparison.Ordinal) || name == "date")
        {
            return "2026-01-01T00:00:00Z";
        }

        if (format == "email" || name == "email")
        {
            return "41898282+github-actions[bot]@users.noreply.github.com";
        }

        if (name == "html_url" || name.StartsWith("html", StringComparison.Ordinal))
        {
            return values.Html;
        }

        if (format == "uri" || name == "url" || name.EndsWith("_url", StringComparison.Ordinal))
        {
            // GitHub's URL templates ({/sha}) stay templates.
            return name.EndsWith("s_url", StringComparison.Ordinal) ? $"{values.RepoApi}/{name[..^4]}" : values.RepoApi;
        }

        return name switch
        {
            "sha" or "tree_sha" or "commit_sha" => "0000000000000000000000000000000000000000",
            "node_id" => "MDEwOlJlcG9zaXRvcnkx",
            "login" => values.Owner,
            "name" or "full_name" => values.RepoApi[(values.RepoApi.LastIndexOf("/repos/", StringComparison.Ordinal) + 7)..],
            "ref" => "refs/heads/main",
            "gravatar_id" or "description" or "body" or "message" => string.Empty,
            "color" => "ededed",
            "type" => "User",
            "user_view_type" => "public",
            "default_branch" => "main",
            "visibility" => "private",
            _ => name.Length == 0 ? string.Empty : name.Replace('_', '-'),
        };
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
