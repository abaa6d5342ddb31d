namespace PolicyAction.State;

/// <summary>
/// A record's time, event, mode and chain fields, read without building the record (<see cref="ChainFields"/>): enough to decide
/// whether a reader needs the whole of it.
/// </summary>
internal readonly record struct RecordKind(DateTimeOffset Timestamp, string Event, string? Mode, ChainFields Chain)
{
    /// <summary>False when the line is not a record as <see cref="ChainFields"/> checks one (well formed, chain fields typed).</summary>
    public static bool TryRead(ReadOnlySpan<byte> line, out RecordKind kind)
    {
        if (ChainFields.TryRead(line, out var fields, out var eventName, out var mode) && eventName is not null)
        {
            kind = new RecordKind(fields.Timestamp, eventName, mode, fields);
            return true;
        }

        kind = default;
        return false;
    }
}
