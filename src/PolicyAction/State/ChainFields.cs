using System.Text.Json;

namespace PolicyAction.State;

/// <summary>
/// What the hash chain needs from one audit-log line, read with <see cref="Utf8JsonReader"/> instead of building the
/// whole record: <c>seq</c>, where <c>prev</c> sits in the line, and whether it is a record at all (a JSON object,
/// well formed to its end, with a <c>timestamp</c> date and an <c>event</c>).
/// </summary>
internal readonly record struct ChainFields(long? Seq, bool HasPrev, int PrevStart, int PrevLength, bool TornRecordNoted, DateTimeOffset Timestamp)
{
    public static bool TryRead(ReadOnlySpan<byte> line, out ChainFields fields) => TryRead(line, out fields, captureKind: false, out _, out _);

    /// <summary>Also the record's <c>event</c> and <c>mode</c> as text (which verify-log, reading every line, does not need).</summary>
    public static bool TryRead(ReadOnlySpan<byte> line, out ChainFields fields, out string? eventName, out string? mode) =>
        TryRead(line, out fields, captureKind: true, out eventName, out mode);

    private static bool TryRead(ReadOnlySpan<byte> line, out ChainFields fields, bool captureKind, out string? eventName, out string? mode)
    {
        fields = default;
        eventName = null;
        mode = null;
        DateTimeOffset timestamp = default;
        long? seq = null;
        int prevStart = 0, prevLength = 0;
        bool hasPrev = false, hasTimestamp = false, hasEvent = false, tornNoted = false;
        var reader = new Utf8JsonReader(line, isFinalBlock: true, state: default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
                {
                    break;
                }

                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                {
                    continue;
                }

                if (reader.ValueTextEquals("seq"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
                    {
                        seq = number;
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("prev"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
                    {
                        hasPrev = true;
                        prevStart = (int)reader.TokenStartIndex + 1;
                        prevLength = reader.ValueSpan.Length;
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("timestamp"u8))
                {
                    reader.Read();
                    hasTimestamp = reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out timestamp);
                    if (!hasTimestamp)
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("event"u8))
                {
                    reader.Read();
                    hasEvent = reader.TokenType == JsonTokenType.String;
                    if (!hasEvent)
                    {
                        return false;
                    }

                    tornNoted = reader.ValueTextEquals(AuditEvents.TornRecordNoted);
                    eventName = captureKind ? reader.GetString() : null;
                }
                else if (captureKind && reader.ValueTextEquals("mode"u8))
                {
                    reader.Read();
                    mode = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    reader.Skip();
                }
                else
                {
                    reader.Skip();
                }
            }

            // Nothing but white space may follow the object.
            if (reader.Read())
            {
                return false;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8, met only when it is read as text.
            return false;
        }

        fields = new ChainFields(seq, hasPrev, prevStart, prevLength, tornNoted, timestamp);
        return hasTimestamp && hasEvent;
    }
}
