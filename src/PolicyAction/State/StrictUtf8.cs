using System.Text;
using System.Text.Json;

namespace PolicyAction.State;

/// <summary>UTF-8 that throws on invalid bytes instead of inventing replacement characters.</summary>
internal static class StrictUtf8
{
    public static UTF8Encoding Encoding { get; } = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The offset of the first byte that is not part of valid UTF-8, or null when all of it is.</summary>
    public static int? FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return null;
    }

    /// <summary>
    /// The offset of the first <c>\uD800</c>–<c>\uDFFF</c> escape in a string or property name of this (well-formed)
    /// JSON that is not half of a pair, or null when every string reads as text. Such an escape is valid JSON, but
    /// the string it is in is not text: .NET throws when it is read, wherever that happens to be.
    /// </summary>
    public static long? FirstLoneSurrogateEscape(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName
                && reader.ValueIsEscaped
                && LoneSurrogateEscape(reader.ValueSpan) is { } at)
            {
                // TokenStartIndex is the opening quote.
                return reader.TokenStartIndex + 1 + at;
            }
        }

        return null;
    }

    /// <summary>Where in a string's raw (still escaped) bytes a lone surrogate escape starts.</summary>
    private static int? LoneSurrogateEscape(ReadOnlySpan<byte> raw)
    {
        for (var i = 0; i < raw.Length - 1; i++)
        {
            if (raw[i] != '\\')
            {
                continue;
            }

            if (raw[i + 1] != 'u')
            {
                i++;
                continue;
            }

            var unit = CodeUnit(raw, i);
            if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                return i;
            }

            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (i + 12 > raw.Length || raw[i + 6] != '\\' || raw[i + 7] != 'u' || CodeUnit(raw, i + 6) is < 0xDC00 or > 0xDFFF)
                {
                    return i;
                }

                i += 6;
            }

            i += 5;
        }

        return null;
    }

    /// <summary>The UTF-16 code unit a <c>\uXXXX</c> escape at <paramref name="at"/> names (the reader has checked its four hex digits).</summary>
    private static int CodeUnit(ReadOnlySpan<byte> raw, int at) =>
        System.Buffers.Text.Utf8Parser.TryParse(raw.Slice(at + 2, 4), out ushort unit, out _, 'X') ? unit : -1;
}
