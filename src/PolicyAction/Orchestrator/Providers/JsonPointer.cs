using System.Text;
using System.Text.Json;

namespace PolicyAction.Orchestrator.Providers;

/// <summary>What a JSON pointer found in a document.</summary>
internal enum JsonPointerStatus
{
    /// <summary>A value is there (it may be JSON <c>null</c>).</summary>
    Found,

    /// <summary>Nothing is there: a member the object does not have, an index past the array's end, or a step below a <c>null</c>.</summary>
    Missing,

    /// <summary>The document is not shaped as the pointer expects: a step into a number, a string or a boolean, or a token that is not an array index.</summary>
    WrongShape,

    /// <summary>The text is not a JSON pointer.</summary>
    Invalid,
}

/// <summary>The outcome of resolving a pointer: the value when found, else what stopped it (for the reason a signal shows).</summary>
internal sealed record JsonPointerMatch(JsonPointerStatus Status, JsonElement Value, string? Explanation)
{
    public bool IsFound => Status == JsonPointerStatus.Found;
}

/// <summary>
/// RFC 6901 JSON pointers, as the command and file signals use them: <c>""</c> is the whole document, <c>/a/0</c> the
/// first element of the member <c>a</c>, <c>~1</c> stands for <c>/</c> and <c>~0</c> for <c>~</c> in a member name.
/// A missing member or element is <see cref="JsonPointerStatus.Missing"/> (the signal is absent); stepping into a
/// scalar is <see cref="JsonPointerStatus.WrongShape"/> (the document is not what the configuration expects: unknown).
/// </summary>
internal static class JsonPointer
{
    /// <summary>Why <paramref name="pointer"/> is not a JSON pointer; null when it is one (the loader can check it up front).</summary>
    public static string? Problem(string pointer) => Tokens(pointer, out var problem) is null ? problem : null;

    /// <summary>The pointer's reference tokens, unescaped; null and the problem when it is not a pointer.</summary>
    public static IReadOnlyList<string>? Tokens(string pointer, out string? problem)
    {
        problem = null;
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            problem = $"'{pointer}' is not a JSON pointer: it must be empty (the whole document) or start with '/', as in \"/failed\"";
            return null;
        }

        var tokens = new List<string>();
        var token = new StringBuilder();
        for (var i = 1; i <= pointer.Length; i++)
        {
            if (i == pointer.Length || pointer[i] == '/')
            {
                tokens.Add(token.ToString());
                token.Clear();
                continue;
            }

            if (pointer[i] != '~')
            {
                token.Append(pointer[i]);
                continue;
            }

            // RFC 6901: '~' is only ever the start of ~0 or ~1; decoding them in one pass keeps "~01" as "~1".
            var next = i + 1 < pointer.Length ? pointer[i + 1] : '\0';
            if (next is not ('0' or '1'))
            {
                problem = $"'{pointer}' is not a JSON pointer: '~' must be followed by 0 (for '~') or 1 (for '/')";
                return null;
            }

            token.Append(next == '0' ? '~' : '/');
            i++;
        }

        return tokens;
    }

    /// <summary>The value <paramref name="pointer"/> refers to in <paramref name="document"/>.</summary>
    public static JsonPointerMatch Resolve(JsonElement document, string pointer)
    {
        if (Tokens(pointer, out var problem) is not { } tokens)
        {
            return new JsonPointerMatch(JsonPointerStatus.Invalid, default, problem);
        }

        var at = document;
        var walked = new StringBuilder();
        foreach (var token in tokens)
        {
            var here = walked.Length == 0 ? "the document" : walked.ToString();
            walked.Append('/').Append(token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));
            switch (at.ValueKind)
            {
                case JsonValueKind.Object:
                    if (!at.TryGetProperty(token, out at))
                    {
                        return Missing($"{here} has no member '{token}'");
                    }

                    break;

                case JsonValueKind.Array:
                    if (token == "-")
                    {
                        // RFC 6901: "-" names the element after the last, which never exists.
                        return Missing($"'-' is past the end of the array at {here}");
                    }

                    if (!IsIndex(token))
                    {
                        return new JsonPointerMatch(JsonPointerStatus.WrongShape, default, $"{here} is an array and '{token}' is not an index (0, 1, 2 ...)");
                    }

                    var length = at.GetArrayLength();
                    if (!int.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) || index >= length)
                    {
                        return Missing($"the array at {here} has {length} element(s), none at index {token}");
                    }

                    at = at[index];
                    break;

                case JsonValueKind.Null:
                    return Missing($"{here} is null");

                default:
                    return new JsonPointerMatch(JsonPointerStatus.WrongShape, default, $"{here} is {KindName(at.ValueKind)}, which has no member '{token}'");
            }
        }

        return new JsonPointerMatch(JsonPointerStatus.Found, at, null);
    }

    /// <summary>How a JSON value's kind reads in a sentence: "an object", "a string" ...</summary>
    public static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static JsonPointerMatch Missing(string explanation) => new(JsonPointerStatus.Missing, default, explanation);

    // RFC 6901: an index is 0 or digits without a leading zero.
    private static bool IsIndex(string token) =>
        token.Length > 0 && token.All(char.IsAsciiDigit) && (token == "0" || token[0] != '0');
}
