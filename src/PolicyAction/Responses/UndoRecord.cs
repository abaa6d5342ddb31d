namespace PolicyAction.Responses;

internal static class UndoStatuses
{
    /// <summary>Written before the first reversible action ran; the response may have been interrupted.</summary>
    public const string Pending = "pending";
    public const string Complete = "complete";
    public const string Undone = "undone";
}

/// <summary><c>state/policy_response_undo_&lt;response_id&gt;.json</c>: the bytes to put back.</summary>
internal sealed record UndoRecord
{
    public required Guid ResponseId { get; init; }

    public required string Policy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string Status { get; init; }

    public DateTimeOffset? UndoneAt { get; init; }

    public string? UndoneBy { get; init; }

    public required IReadOnlyList<UndoAction> Actions { get; init; }
}

internal sealed record UndoAction
{
    public required string Action { get; init; }

    public string? UndoInstruction { get; init; }

    public required IReadOnlyList<UndoFile> Files { get; init; }
}

/// <summary>
/// One path as it was before the action (its bytes, or the fact that it did not exist) and as the response left it,
/// so undo can tell an edit made since from the action's own change.
/// </summary>
internal sealed record UndoFile
{
    public required string Path { get; init; }

    public required bool Existed { get; init; }

    public string? Sha256 { get; init; }

    public string? ContentBase64 { get; init; }

    /// <summary>The Unix permission bits, as an octal string such as "0644".</summary>
    public string? Mode { get; init; }

    /// <summary>
    /// Whether the path existed once the response's actions had run; null when unknown: a record written before
    /// undo kept this, an action still running (or interrupted), or something other than a file undo could hash.
    /// </summary>
    public bool? ExistedAfter { get; init; }

    /// <summary>The sha256 of the file the response left, when <see cref="ExistedAfter"/> is true.</summary>
    public string? AfterSha256 { get; init; }
}
