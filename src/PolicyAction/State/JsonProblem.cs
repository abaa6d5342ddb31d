using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PolicyAction.State;

/// <summary>
/// What is wrong in a JSON text, in the words of the file: where (line and column, counted in characters from 1), which
/// field (its JSON path), what belongs there and what is there. System.Text.Json's own messages name .NET types and
/// reader options, which tell an operator editing a state file nothing; this reads the text again to say it plainly.
/// </summary>
internal sealed record JsonProblem(long Line, long Column, string? Field, string What)
{
    /// <summary>The field and the problem, without the position: "field is_engaged: expected true or false, found the string "yes"".</summary>
    public string Detail => Field is null ? What : $"field {Field}: {What}";

    /// <summary>"line 1, column 15: field is_engaged: expected true or false, found the string "yes"".</summary>
    public override string ToString() => $"line {Line}, column {Column}: {Detail}";

    /// <summary>Explains why <paramref name="typeInfo"/> could not read <paramref name="json"/> (the exception is only a hint: its path).</summary>
    public static JsonProblem Explain(ReadOnlySpan<byte> json, JsonException error, JsonTypeInfo typeInfo)
    {
        var target = JsonPath.Parse(error.Path);
        var scan = JsonScan.Run(json, ReaderOptions(typeInfo.Options), target);
        var expected = JsonExpectation.At(typeInfo, target);

        if (scan.Duplicate is { } duplicate && !typeInfo.Options.AllowDuplicateProperties && JsonPath.Same(duplicate.Path, target))
        {
            return At(json, duplicate.Offset, JsonPath.Format(duplicate.Path), "appears twice in the same object; keep one");
        }

        // The serializer fails on the value at its path, which the reader may have read whole before a syntax error
        // further on; an object or array of the right kind there is not the problem, unless it lacks a required field.
        if (scan.Target is { Complete: true } token)
        {
            var container = token.Kind is JsonTokenType.StartObject or JsonTokenType.StartArray;
            var rightKind = expected is not null && (expected.Info.Kind, token.Kind) is
                (JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary, JsonTokenType.StartObject) or (JsonTypeInfoKind.Enumerable, JsonTokenType.StartArray);
            if (expected is { Info.Kind: JsonTypeInfoKind.Object } && token.Kind == JsonTokenType.StartObject
                && expected.Info.Properties.FirstOrDefault(p => p.IsRequired && !token.Names.Contains(p.Name)) is { } missing)
            {
                var required = JsonExpectation.Of(expected.Info.Options.GetTypeInfo(missing.PropertyType));
                return At(json, token.Offset, JsonPath.Format([.. target, missing.Name]), $"is missing; expected {required.Words}");
            }

            if (!(container && rightKind) || scan.Syntax is null)
            {
                var what = expected is null ? $"found {token.Found}, which is not valid here" : $"expected {expected.Words}, found {token.Found}";
                return At(json, token.Offset, FieldName(target), what);
            }
        }

        if (scan.Syntax is { } syntax)
        {
            return At(json, syntax.Offset, null, syntax.What);
        }

        // Not found again (should not happen): the parser's own position, still without its wording.
        return new JsonProblem((error.LineNumber ?? 0) + 1, (error.BytePositionInLine ?? 0) + 1, FieldName(target), expected is null ? "not a valid value" : $"expected {expected.Words}");
    }

    /// <summary>Explains why <paramref name="json"/> is not JSON at all (a document read without a type).</summary>
    public static JsonProblem? ExplainSyntax(ReadOnlySpan<byte> json, JsonReaderOptions options) =>
        JsonScan.Run(json, options, []).Syntax is { } syntax ? At(json, syntax.Offset, null, syntax.What) : null;

    /// <summary>The line and column of a byte offset; the column counts characters, not bytes.</summary>
    public static (long Line, long Column) Position(ReadOnlySpan<byte> text, long offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        var before = text[..(int)offset];
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        long line = before.Count((byte)'\n') + 1;
        long column = 1;
        foreach (var b in before[lineStart..])
        {
            // UTF-8 continuation bytes (10xxxxxx) belong to the character before them.
            if ((b & 0xC0) != 0x80)
            {
                column++;
            }
        }

        return (line, column);
    }

    private static JsonProblem At(ReadOnlySpan<byte> json, long offset, string? field, string what)
    {
        var (line, column) = Position(json, offset);
        return new JsonProblem(line, column, field, what);
    }

    private static string? FieldName(IReadOnlyList<object> path) => path.Count == 0 ? null : JsonPath.Format(path);

    private static JsonReaderOptions ReaderOptions(JsonSerializerOptions options) => new()
    {
        AllowTrailingCommas = options.AllowTrailingCommas,
        CommentHandling = options.ReadCommentHandling,
        MaxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth,
    };
}

/// <summary>A JSON path as System.Text.Json writes it (<c>$.unlocks[1].unlocked_at</c>, <c>$['odd name']</c>), as names and indexes.</summary>
internal static class JsonPath
{
    public static IReadOnlyList<object> Parse(string? path)
    {
        var segments = new List<object>();
        if (string.IsNullOrEmpty(path))
        {
            return segments;
        }

        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                end = end < 0 ? path.Length : end;
                segments.Add(path[(i + 2)..end]);
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                end = end < 0 ? path.Length : end;
                segments.Add(int.TryParse(path.AsSpan(i + 1, end - i - 1), System.Globalization.CultureInfo.InvariantCulture, out var index) ? index : path[(i + 1)..end]);
                i = end + 1;
            }
            else
            {
                break;
            }
        }

        return segments;
    }

    /// <summary>The path for people: <c>unlocks[1].unlocked_at</c> (no leading <c>$</c>).</summary>
    public static string Format(IEnumerable<object> path)
    {
        var text = new StringBuilder();
        foreach (var segment in path)
        {
            if (segment is int index)
            {
                text.Append('[').Append(index.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                text.Append(text.Length == 0 ? string.Empty : ".").Append((string)segment);
            }
        }

        return text.ToString();
    }

    public static bool Same(IReadOnlyList<object> a, IReadOnlyList<object> b) => a.SequenceEqual(b);
}

/// <summary>What a field's type takes, in words (never a .NET type name).</summary>
internal sealed record JsonExpectation(JsonTypeInfo Info, string Words)
{
    public const string Timestamp = "a timestamp in ISO 8601, such as \"2026-01-31T12:00:00Z\"";

    /// <summary>The expectation at a path, or null where the type does not say (fields kept as they are, such as other tools' fields).</summary>
    public static JsonExpectation? At(JsonTypeInfo root, IReadOnlyList<object> path)
    {
        var info = root;
        foreach (var segment in path)
        {
            var next = (info.Kind, segment) switch
            {
                (JsonTypeInfoKind.Object, string name) => info.Properties.FirstOrDefault(p => p.Name == name && !p.IsExtensionData)?.PropertyType,
                (JsonTypeInfoKind.Enumerable, int) => info.ElementType,
                (JsonTypeInfoKind.Dictionary, string) => info.ElementType,
                _ => null,
            };
            if (next is null)
            {
                return null;
            }

            info = info.Options.GetTypeInfo(next);
        }

        return Of(info);
    }

    public static JsonExpectation Of(JsonTypeInfo info)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        var words = info.Kind switch
        {
            JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => "an object ({ ... })",
            JsonTypeInfoKind.Enumerable => "an array ([ ... ])",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(string) => "a string",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(uint) || type == typeof(ulong) => "a whole number",
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => Timestamp,
            _ when type == typeof(TimeSpan) => "a duration such as \"01:30:00\"",
            _ when type == typeof(Guid) => "a UUID such as \"0b6f7a0e-3c1d-4c1e-9a57-2f5d8c0e9a11\"",
            _ when type.IsEnum => "one of " + string.Join(", ", EnumNames(info.Options, type)),
            _ => "a JSON value",
        };
        return new JsonExpectation(info, words);
    }

    /// <summary>The enum's values as the file spells them (its wire names).</summary>
    private static IEnumerable<string> EnumNames(JsonSerializerOptions options, Type type)
    {
        var enumInfo = options.GetTypeInfo(type);
        foreach (var value in Enum.GetValuesAsUnderlyingType(type))
        {
            yield return JsonSerializer.Serialize(Enum.ToObject(type, value), enumInfo);
        }
    }
}

/// <summary>One pass of the reader over the text: the first syntax error, the first duplicate field, and the value at a path.</summary>
internal sealed class JsonScan
{
    private const int MaxShown = 40;

    private JsonScan()
    {
    }

    public (long Offset, string What)? Syntax { get; private set; }

    public (IReadOnlyList<object> Path, long Offset)? Duplicate { get; private set; }

    public FoundToken? Target { get; private set; }

    public static JsonScan Run(ReadOnlySpan<byte> json, JsonReaderOptions options, IReadOnlyList<object> target)
    {
        var scan = new JsonScan();
        var frames = new Stack<Frame>();
        var reader = new Utf8JsonReader(json, options);
        var completeValues = 0;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var frame = frames.Peek();
                        frame.Property = Text(ref reader);
                        if (!frame.Names.Add(frame.Property) && scan.Duplicate is null)
                        {
                            scan.Duplicate = ([.. frame.Path, frame.Property], reader.TokenStartIndex);
                        }

                        break;

                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        var path = ValuePath(frames);
                        var opened = new Frame(path, reader.TokenType == JsonTokenType.StartArray);
                        if (scan.Target is null && JsonPath.Same(path, target))
                        {
                            scan.Target = new FoundToken(reader.TokenType, reader.TokenStartIndex, opened.IsArray ? "an array" : "an object", opened.Names) { Complete = false };
                            opened.IsTarget = true;
                        }

                        frames.Push(opened);
                        break;

                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        if (frames.Pop().IsTarget)
                        {
                            scan.Target = scan.Target! with { Complete = true };
                        }

                        completeValues += frames.Count == 0 ? 1 : 0;
                        break;

                    case JsonTokenType.Comment:
                        break;

                    default:
                        var valuePath = ValuePath(frames);
                        if (scan.Target is null && JsonPath.Same(valuePath, target))
                        {
                            scan.Target = new FoundToken(reader.TokenType, reader.TokenStartIndex, Found(ref reader), new HashSet<string>());
                        }

                        completeValues += frames.Count == 0 ? 1 : 0;
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            // A reader's MaxDepth of 0 means its default, 64 (the event payload is read with default options).
            var maxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth;
            scan.Syntax = frames.Count >= maxDepth
                ? (Offset(json, e), $"objects and arrays nested deeper than {maxDepth} levels; no file the tool reads is that deep")
                : SyntaxProblem(json, Offset(json, e), frames.Count > 0 ? frames.Peek() : null, completeValues > 0);
        }

        return scan;
    }

    /// <summary>The path of the value starting now: its object's current field, or its array's next index.</summary>
    private static IReadOnlyList<object> ValuePath(Stack<Frame> frames)
    {
        if (frames.Count == 0)
        {
            return [];
        }

        var frame = frames.Peek();
        return frame.IsArray ? [.. frame.Path, frame.NextIndex++] : [.. frame.Path, frame.Property ?? string.Empty];
    }

    private static (long, string) SyntaxProblem(ReadOnlySpan<byte> json, long offset, Frame? frame, bool afterValue)
    {
        var rest = json[(int)Math.Min(offset, json.Length)..];
        var restTrimmed = rest.TrimStart(" \t\r\n"u8);
        var before = json[..(int)Math.Min(offset, json.Length)].TrimEnd(" \t\r\n"u8);
        var previous = before.IsEmpty ? (byte)0 : before[^1];

        if (restTrimmed.IsEmpty)
        {
            return (offset, "the JSON ends before it is complete (the file may have been cut short)");
        }

        if (json.StartsWith("\uFEFF"u8))
        {
            // Invisible in an editor: the snippet would show text that looks like valid JSON.
            return (0, "the file starts with a byte order mark (BOM), which JSON does not allow; save it as UTF-8 without BOM");
        }

        if (restTrimmed[0] is (byte)'}' or (byte)']' && previous == (byte)',')
        {
            return (before.Length - 1, $"a comma before the closing '{(char)restTrimmed[0]}'; remove it (JSON allows no trailing comma)");
        }

        var found = Snippet(restTrimmed);
        if (restTrimmed[0] == (byte)'/')
        {
            return (offset, $"found a comment ('{found}'); JSON allows no comments, remove it");
        }

        var expected = (frame, previous) switch
        {
            (null, _) when afterValue => "nothing more (the file holds one JSON value)",
            (null, _) => "a JSON value",
            ({ IsArray: false }, (byte)'{') => "a field name in double quotes, or '}'",
            ({ IsArray: false }, (byte)',') => "a field name in double quotes",
            ({ IsArray: true }, (byte)'[') => "a value, or ']'",
            (_, (byte)',' or (byte)':') => "a value (a string in double quotes, a number, true, false, null, an object or an array)",
            ({ IsArray: false }, (byte)'"') when LastTokenWasName(before) => "':' after the field name",
            ({ IsArray: false }, _) => "',' or '}'",
            ({ IsArray: true }, _) => "',' or ']'",
        };
        return (offset, $"expected {expected}, found '{found}'");
    }

    /// <summary>Whether the text before ends in a field name (a string after '{' or ','): then a ':' is missing.</summary>
    private static bool LastTokenWasName(ReadOnlySpan<byte> before)
    {
        var open = before[..^1].LastIndexOf((byte)'"');
        while (open > 0 && before[open - 1] == (byte)'\\')
        {
            open = before[..(open - 1)].LastIndexOf((byte)'"');
        }

        var ahead = open <= 0 ? before : before[..open].TrimEnd(" \t\r\n"u8);
        return !ahead.IsEmpty && ahead[^1] is (byte)'{' or (byte)',';
    }

    /// <summary>The error's byte offset from its line and byte in line.</summary>
    private static long Offset(ReadOnlySpan<byte> json, JsonException e)
    {
        var lineStart = 0;
        for (var line = 0L; line < (e.LineNumber ?? 0); line++)
        {
            var next = json[lineStart..].IndexOf((byte)'\n');
            if (next < 0)
            {
                break;
            }

            lineStart += next + 1;
        }

        return Math.Min(json.Length, lineStart + (e.BytePositionInLine ?? 0));
    }

    /// <summary>A piece of the text from here, up to the end of its line, for the message.</summary>
    private static string Snippet(ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOfAny("\r\n"u8);
        var piece = rest[..(end < 0 ? rest.Length : end)];
        var text = Encoding.UTF8.GetString(piece[..Math.Min(piece.Length, MaxShown)]).TrimEnd('\uFFFD');
        return piece.Length > MaxShown ? text + "…" : text;
    }

    private static string Found(ref Utf8JsonReader reader)
    {
        // Read from one span, never a sequence.
        var raw = reader.ValueSpan.ToArray();
        return reader.TokenType switch
        {
            JsonTokenType.String when reader.ValueIsEscaped && StrictUtf8.FirstLoneSurrogateEscape([(byte)'"', .. raw, (byte)'"']) is not null =>
                $"a string holding half of a UTF-16 surrogate pair (\"{Shorten(raw)}\"), which is not text",
            JsonTokenType.String => $"the string \"{Shorten(raw)}\"",
            JsonTokenType.Number => $"the number {Shorten(raw)}",
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            _ => "null",
        };
    }

    private static string Shorten(byte[] raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        return text.Length > MaxShown ? text[..MaxShown] + "…" : text;
    }

    private static string Text(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            // A name with a lone surrogate escape: keep it as written.
            return Encoding.UTF8.GetString(reader.ValueSpan);
        }
    }

    private sealed class Frame(IReadOnlyList<object> path, bool isArray)
    {
        public IReadOnlyList<object> Path { get; } = path;

        public bool IsArray { get; } = isArray;

        public string? Property { get; set; }

        public int NextIndex { get; set; }

        public bool IsTarget { get; set; }

        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>The value found at the path: its kind, where it starts, how to name it, and (an object's) field names.</summary>
internal sealed record FoundToken(JsonTokenType Kind, long Offset, string Found, IReadOnlySet<string> Names)
{
    /// <summary>Whether the value ended before the reader stopped (an object or array may not have).</summary>
    public bool Complete { get; init; } = true;
}
