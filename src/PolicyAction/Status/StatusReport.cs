namespace PolicyAction.Status;

/// <summary>Output of <c>policy-response status</c> with --json.</summary>
internal sealed record StatusReport
{
    public string? PolicyLevel { get; init; }

    public DateTimeOffset? PolicyUpdatedAt { get; init; }

    public required bool TrustLocked { get; init; }

    public string? TrustLockId { get; init; }

    public required bool BrakeEngaged { get; init; }

    public required int ResponsesLast24h { get; init; }

    public required int ManualUnlocksLast24h { get; init; }

    public Guid? LastResponseId { get; init; }

    public DateTimeOffset? LastResponseAt { get; init; }

    public string? LastResponseStatus { get; init; }
}
