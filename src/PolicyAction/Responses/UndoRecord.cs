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

/// <summary>One path as it was before the action: its bytes, or the fact that it did not exist.</summary>
internal sealed record UndoFile
{
    public required string Path { get; init; }

    public required bool Existed { get; init; }

    public string? Sha256 { get; init; }

    public string? ContentBase64 { get; init; }

    /// <summary>The Unix permission bits, as an octal string such as "0644".</summary>
    public string? Mode { get; init; }
}
