using System.Text.Json.Serialization;

namespace PolicyAction.Responses;

/// <summary>The response's files (preview, blocked report, undo records) and <c>respond --json</c>, with the state files' options.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    UseStringEnumConverter = true,
    AllowTrailingCommas = false,
    AllowDuplicateProperties = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ResponseReport))]
[JsonSerializable(typeof(BlockedReport))]
[JsonSerializable(typeof(UndoRecord))]
internal sealed partial class ResponseJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The same contract without HTML-safe escaping: files on disk are not embedded in HTML, and people grep
    /// the blocked report for the literal <c>&lt;!-- POLICY_RESPONSE: BLOCKED</c> marker.
    /// </summary>
    public static ResponseJsonContext Relaxed => s_relaxed ??= new(new System.Text.Json.JsonSerializerOptions(Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    private static ResponseJsonContext? s_relaxed;
}
