using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PolicyAction.GitHubEmulator.Contract;

/// <summary>
/// Validates JSON against the OpenAPI 3.0 schema subset GitHub's description uses. <c>oneOf</c> is checked
/// as <c>anyOf</c>: GitHub's alternatives (e.g. the contents API's file, symlink, submodule) overlap.
/// </summary>
public static class SchemaValidator
{
    public static List<string> Validate(JsonElement schema, JsonElement value, string at = "$")
    {
        var errors = new List<string>();
        Check(schema, value, at, errors);
        return errors;
    }

    private static void Check(JsonElement schema, JsonElement value, string at, List<string> errors)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            if (!(schema.TryGetProperty("nullable", out var nullable) && nullable.GetBoolean()) && !AllowsNull(schema))
            {
                errors.Add($"{at}: null is not allowed");
            }

            return;
        }

        if (schema.TryGetProperty("allOf", out var allOf))
        {
            foreach (var part in allOf.EnumerateArray())
            {
                Check(part, value, at, errors);
            }
        }

        foreach (var keyword in new[] { "oneOf", "anyOf" })
        {
            if (schema.TryGetProperty(keyword, out var options))
            {
                var failures = new List<string>();
                var matched = false;
                foreach (var option in options.EnumerateArray())
                {
                    var attempt = new List<string>();
                    Check(option, value, at, attempt);
                    if (attempt.Count == 0)
                    {
                        matched = true;
                        break;
                    }

                    failures.Add(string.Join("; ", attempt.Take(3)));
                }

                if (!matched)
                {
                    errors.Add($"{at}: matches none of the {keyword} alternatives ({string.Join(" | ", failures)})");
                }
            }
        }

        if (schema.TryGetProperty("enum", out var enumValues) && !enumValues.EnumerateArray().Any(e => JsonElement.DeepEquals(e, value)))
        {
            errors.Add($"{at}: {value.GetRawText()} is not one of {enumValues.GetRawText()}");
        }

        if (schema.TryGetProperty("type", out var type))
        {
            var expected = type.GetString();
            var ok = expected switch
            {
                "object" => value.ValueKind == JsonValueKind.Object,
                "array" => value.ValueKind == JsonValueKind.Array,
                "string" => value.ValueKind == JsonValueKind.String,
                "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
                "number" => value.ValueKind == JsonValueKind.Number,
                "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                _ => true,
            };
            if (!ok)
            {
                errors.Add($"{at}: expected {expected}, got {value.ValueKind}");
                return;
            }
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                if (schema.TryGetProperty("required", out var required))
                {
                    foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                    {
                        if (!value.TryGetProperty(name, out _))
                        {
                            errors.Add($"{at}.{name}: required property missing");
                        }
                    }
                }

                var properties = schema.TryGetProperty("properties", out var props) ? props : default;
                foreach (var property in value.EnumerateObject())
                {
                    if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
                    {
                        Check(propertySchema, property.Value, $"{at}.{property.Name}", errors);
                    }
                    else if (schema.TryGetProperty("additionalProperties", out var additional))
                    {
                        if (additional.ValueKind == JsonValueKind.False)
                        {
                            errors.Add($"{at}.{property.Name}: property not allowed");
                        }
                        else if (additional.ValueKind == JsonValueKind.Object)
                        {
                            Check(additional, property.Value, $"{at}.{property.Name}", errors);
                        }
                    }
                }

                break;
            case JsonValueKind.Array:
                var count = value.GetArrayLength();
                if (schema.TryGetProperty("minItems", out var minItems) && count < minItems.GetInt32())
                {
                    errors.Add($"{at}: fewer than {minItems.GetInt32()} items");
                }

                if (schema.TryGetProperty("maxItems", out var maxItems) && count > maxItems.GetInt32())
                {
                    errors.Add($"{at}: more than {maxItems.GetInt32()} items");
                }

                if (schema.TryGetProperty("items", out var items))
                {
                    var i = 0;
                    foreach (var item in value.EnumerateArray())
                    {
                        Check(items, item, $"{at}[{i++}]", errors);
                    }
                }

                break;
            case JsonValueKind.String:
                var text = value.GetString()!;
                if (schema.TryGetProperty("minLength", out var minLength) && text.Length < minLength.GetInt32())
                {
                    errors.Add($"{at}: shorter than {minLength.GetInt32()}");
                }

                if (schema.TryGetProperty("maxLength", out var maxLength) && text.Length > maxLength.GetInt32())
                {
                    errors.Add($"{at}: longer than {maxLength.GetInt32()}");
                }

                if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!))
                {
                    errors.Add($"{at}: '{text}' does not match {pattern.GetString()}");
                }

                if (schema.TryGetProperty("format", out var format))
                {
                    var formatOk = format.GetString() switch
                    {
                        "date-time" => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
                        "uri" => Uri.TryCreate(text, UriKind.Absolute, out _),
                        _ => true,
                    };
                    if (!formatOk)
                    {
                        errors.Add($"{at}: '{text}' is not a valid {format.GetString()}");
                    }
                }

                break;
            case JsonValueKind.Number:
                if (schema.TryGetProperty("minimum", out var minimum) && value.GetDouble() < minimum.GetDouble())
                {
                    errors.Add($"{at}: below the minimum {minimum.GetDouble()}");
                }

                if (schema.TryGetProperty("maximum", out var maximum) && value.GetDouble() > maximum.GetDouble())
                {
                    errors.Add($"{at}: above the maximum {maximum.GetDouble()}");
                }

                break;
        }
    }

    private static bool AllowsNull(JsonElement schema)
    {
        foreach (var keyword in new[] { "oneOf", "anyOf" })
        {
            if (schema.TryGetProperty(keyword, out var options) && options.EnumerateArray().Any(o => o.TryGetProperty("nullable", out var n) && n.GetBoolean()))
            {
                return true;
            }
        }

        return schema.TryGetProperty("allOf", out var allOf) && allOf.EnumerateArray().Any(o => o.TryGetProperty("nullable", out var n) && n.GetBoolean());
    }
}
