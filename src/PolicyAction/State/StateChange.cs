namespace PolicyAction.State;

/// <summary>
/// What one state command (brake engage, trust lock, undo --apply, acknowledge...) did: whether it changed the
/// state, the line it printed to say so, and the state files it wrote (repository paths), which must reach the
/// branch before anything else sees the change.
/// </summary>
internal sealed record StateChange(bool Changed, string Message, IReadOnlyList<string> Files)
{
    /// <summary>A command that found the state already as asked: nothing written.</summary>
    public static StateChange Unchanged(string message) => new(false, message, []);

    /// <summary>A change recorded in the audit log: the state files it wrote (full paths) and the log's newest segment.</summary>
    public static StateChange Recorded(StateStore store, string message, params string[] written) =>
        new(true, message, [.. written.Select(store.Paths.Relative), store.Paths.Relative(store.AuditLog.Newest().Path)]);
}
