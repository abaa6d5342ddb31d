using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Gates;

/// <summary>An applied response that started and never finished: it may have changed some files and not others.</summary>
internal sealed record InterruptedResponse(Guid ResponseId, string? Policy, DateTimeOffset StartedAt, int ActionsFinished, int? ActionsPlanned, string? RunUrl)
{
    public string Describe() =>
        $"response {ResponseId:D} ({Policy ?? "?"}, started {Times.Format(StartedAt)}{(RunUrl is null ? string.Empty : $" by {RunUrl}")}) "
        + $"did not finish: {ActionsFinished} of {ActionsPlanned?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} action(s) recorded";
}

/// <summary>
/// Finds responses that were interrupted (the process killed, the runner lost) so the next run reports them
/// instead of applying again on top of a half-applied response. One is settled by undoing it
/// (<c>undo ID --apply</c>) or by a person acknowledging it (<c>acknowledge ID --reason R</c>).
/// </summary>
internal static class InterruptedResponses
{
    /// <summary>How far back an unfinished response is looked for (responses are rate-limited, so the window is small).</summary>
    public static readonly TimeSpan LookBack = TimeSpan.FromDays(7);

    public const string BlockName = GateNames.InterruptedResponse;

    /// <summary>The unfinished responses in the records, oldest first.</summary>
    public static IReadOnlyList<InterruptedResponse> Find(IReadOnlyList<AuditRecord> log)
    {
        var settled = log
            .Where(r => r.Event is AuditEvents.ResponseFinished or AuditEvents.UndoApplied or AuditEvents.InterruptionAcknowledged && r.ResponseId is not null)
            .Select(r => r.ResponseId!.Value)
            .ToHashSet();
        return log
            .Where(r => r.Event == AuditEvents.ResponseStarted && r.ResponseId is { } id && !settled.Contains(id))
            .Select(r => new InterruptedResponse(
                r.ResponseId!.Value,
                r.Policy,
                r.Timestamp,
                log.Count(a => a.Event == AuditEvents.ActionFinished && a.ResponseId == r.ResponseId),
                r.ActionsPlanned,
                r.RunUrl))
            .ToArray();
    }

    public static IReadOnlyList<InterruptedResponse> Find(AuditLog log, DateTimeOffset now) => Find(log.ReadSince(now - LookBack, GateInputs.Needs).Records);

    /// <summary>What to do about one, for the block message.</summary>
    public static string Advice(InterruptedResponse response) =>
        $"{response.Describe()}. It may have half-applied. Check the workspace, then run "
        + $"'policy-response undo {response.ResponseId:D} --apply' to restore what it changed, or "
        + $"'policy-response acknowledge {response.ResponseId:D} --reason \"...\"' to accept it as it is. Nothing was executed.";
}
