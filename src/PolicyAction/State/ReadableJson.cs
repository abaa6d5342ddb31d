using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PolicyAction.State;

/// <summary>
/// JSON for people (state files, previews, reports, the alert history, <c>--json</c>): <c>&lt;</c>, <c>&gt;</c>,
/// <c>&amp;</c>, quotes as <c>\"</c> and non-ASCII text stay as they are, so <c>grep '> 2'</c> finds a condition. The
/// default encoder escapes them for HTML, which none of these is embedded in; the output is still valid JSON. The
/// audit log keeps the default: its lines' bytes are hashed into the chain and a log is one contract for every version.
/// </summary>
internal static class ReadableJson
{
    public static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static byte[] Utf8<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Encoder, Indented = typeInfo.Options.WriteIndented }))
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string Text<T>(T value, JsonTypeInfo<T> typeInfo) => Encoding.UTF8.GetString(Utf8(value, typeInfo));
}
