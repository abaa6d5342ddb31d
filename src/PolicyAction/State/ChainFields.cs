using System.Text.Json;

namespace PolicyAction.State;

/// <summary>
/// What the hash chain needs from one audit-log line, read with <see cref="Utf8JsonReader"/> instead of building the
/// whole record: <c>seq</c>, where <c>prev</c> sits in the line, and whether it is a record at all (a JSON object,
/// well formed to its end, with a <c>timestamp</c> date and an <c>event</c>).
/// </summary>
internal readonly record struct ChainFields(long? Seq, bool HasPrev, int PrevStart, int PrevLength, bool TornRecordNoted)
{
    public static bool TryRead(ReadOnlySpan<byte> line, out ChainFields fields)
    {
        fields = default;
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
                    hasTimestamp = reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out _);
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
        catch (JsonException)
        {
            return false;
        }

        fields = new ChainFields(seq, hasPrev, prevStart, prevLength, tornNoted);
        return hasTimestamp && hasEvent;
    }
}
