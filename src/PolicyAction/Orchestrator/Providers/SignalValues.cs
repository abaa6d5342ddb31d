using System.Globalization;
using System.Text;
using System.Text.Json;
using PolicyAction.State;

namespace PolicyAction.Orchestrator.Providers;

/// <summary>
/// How the command and file signals turn text into a value: a number (invariant culture, finite), a JSON document
/// (strict: no comments, no trailing commas, no duplicate members), the value at a pointer in it, and short quotes
/// of what they read for the reasons they give.
/// </summary>
internal static class SignalValues
{
    private const int ExcerptChars = 60;

    // A duplicate member reads differently to different parsers: which of the two a signal meant cannot be known.
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>A number as a person or a program prints it (<c>42</c>, <c>-0.5</c>, <c>1e3</c>, surrounding blanks allowed); never NaN or infinity.</summary>
    public static bool TryParseNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>The JSON document in <paramref name="text"/>; null and why when it is not one.</summary>
    public static JsonDocument? ParseJson(string text, out string? problem) => ParseJson(Encoding.UTF8.GetBytes(text), out problem);

    /// <summary>
    /// The JSON document in UTF-8 bytes (a byte order mark is allowed); null and why when it is not one. Bytes that are
    /// not UTF-8 and escapes of half a surrogate pair are refused here: .NET would otherwise accept them and throw
    /// later, when the string is read.
    /// </summary>
    public static JsonDocument? ParseJson(ReadOnlyMemory<byte> utf8, out string? problem)
    {
        problem = null;
        if (utf8.Span.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        if (StrictUtf8.FirstInvalidByte(utf8.Span) is { } invalid)
        {
            problem = $"byte {invalid.ToString(CultureInfo.InvariantCulture)} is not UTF-8";
            return null;
        }

        try
        {
            var document = JsonDocument.Parse(utf8, Strict);
            if (StrictUtf8.FirstLoneSurrogateEscape(utf8.Span) is { } escape)
            {
                document.Dispose();
                problem = $"the escape at byte {escape.ToString(CultureInfo.InvariantCulture)} is half of a surrogate pair, not a character";
                return null;
            }

            return document;
        }
        catch (JsonException e)
        {
            problem = e.Message;
            return null;
        }
    }

    /// <summary>
    /// The number at <paramref name="pointer"/>: a JSON number; <c>true</c>/<c>false</c> as 1/0; a string that is a
    /// number. Null or nothing there is absent; an object, an array or other text is unknown.
    /// </summary>
    /// <param name="where">What the document is, for the reasons: <c>stdout</c> or the file's path.</param>
    public static SignalReading NumberAt(JsonElement document, string pointer, string where)
    {
        var match = JsonPointer.Resolve(document, pointer);
        var at = Where(where, pointer);
        if (!match.IsFound)
        {
            return NotFound(match, at);
        }

        var value = match.Value;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                return value.TryGetDouble(out var number) && double.IsFinite(number)
                    ? SignalReading.Number(number, at)
                    : SignalReading.Unknown($"{at} is {Excerpt(value.GetRawText())}, a number too large to use");
            case JsonValueKind.True:
                return SignalReading.Number(1, $"{at} is true");
            case JsonValueKind.False:
                return SignalReading.Number(0, $"{at} is false");
            case JsonValueKind.Null:
                return SignalReading.Absent($"{at} is null");
            case JsonValueKind.String:
                var text = value.GetString()!;
                return TryParseNumber(text, out var parsed)
                    ? SignalReading.Number(parsed, at)
                    : SignalReading.Unknown($"{at} is the text '{Excerpt(text)}', not a number");
            default:
                return SignalReading.Unknown($"{at} is {JsonPointer.KindName(value.ValueKind)}, not a number; point at a number inside it");
        }
    }

    /// <summary>The reading for a pointer that found nothing: absent when nothing is there, unknown when the document or the pointer is wrong.</summary>
    public static SignalReading NotFound(JsonPointerMatch match, string at) => match.Status switch
    {
        JsonPointerStatus.Missing => SignalReading.Absent($"nothing at {at}: {match.Explanation}"),
        JsonPointerStatus.Invalid => SignalReading.Unknown(match.Explanation!),
        _ => SignalReading.Unknown($"{at} cannot be read: {match.Explanation}"),
    };

    /// <summary>"stdout at /failed", "anchors/chain.json at /updated_at", or the document alone for the empty pointer.</summary>
    public static string Where(string where, string pointer) => pointer.Length == 0 ? where : $"{where} at {pointer}";

    /// <summary>
    /// A short quote of text someone else wrote, for a reason shown in the log and the summary: one line (line breaks
    /// and other control characters become spaces, so nothing in it starts a line of its own), at most 60 characters.
    /// </summary>
    public static string Excerpt(string text)
    {
        var line = new StringBuilder(Math.Min(text.Length, ExcerptChars + 1));
        var blank = false;
        foreach (var c in text.Trim())
        {
            var shown = char.IsControl(c) || char.IsWhiteSpace(c) ? ' ' : c;
            if (shown == ' ' && blank)
            {
                continue;
            }

            blank = shown == ' ';
            line.Append(shown);
            if (line.Length > ExcerptChars)
            {
                // Never half of a surrogate pair.
                var cut = char.IsHighSurrogate(line[ExcerptChars - 1]) ? ExcerptChars - 1 : ExcerptChars;
                return line.ToString(0, cut) + "…";
            }
        }

        return line.ToString();
    }
}
