using PolicyAction.Gates;
using PolicyAction.Responses;
using PolicyAction.State;

namespace PolicyAction.Status;

/// <summary>Gathers the one-screen status from the workspace's state files.</summary>
internal static class StatusReader
{
    /// <summary>How far back "last response" looks; older history is in the log itself.</summary>
    public static readonly TimeSpan StatusWindow = TimeSpan.FromDays(31);

    /// <param name="warn">Shown an incomplete record (torn by an interrupted write) the read skipped.</param>
    public static StatusReport Read(StateStore store, TimeProvider clock, Action<string> warn)
    {
        var now = clock.GetUtcNow();
        var policy = store.ReadPolicyState();
        var trust = store.ReadTrust();
        var brake = store.ReadBrake();
        var read = store.AuditLog.ReadSince(now - StatusWindow);
        if (read.Warning is not null)
        {
            warn(read.Warning);
        }

        var log = read.Records;
        var lastStart = log.LastOrDefault(r => r.Event == AuditEvents.ResponseStarted && r.Mode == ResponseModes.Apply);
        var lastFinish = lastStart is null ? null : log.LastOrDefault(r => r.Event == AuditEvents.ResponseFinished && r.ResponseId == lastStart.ResponseId);
        return new StatusReport
        {
            PolicyLevel = policy?.Level,
            PolicyUpdatedAt = policy?.UpdatedAt,
            TrustLocked = trust.Locked,
            TrustLockId = trust.Locked ? trust.LockId : null,
            BrakeEngaged = brake.IsEngaged,
            ResponsesLast24h = RateLimitGate.AppliedResponsesInWindow(log, now),
            ManualUnlocksLast24h = ManualUnlocksGate.ManualUnlocksInWindow(trust, now),
            LastResponseId = lastStart?.ResponseId,
            LastResponseAt = lastStart?.Timestamp,
            LastResponseStatus = lastStart is null ? null : lastFinish?.Status ?? Unfinished(lastStart, log, now),
        };
    }

    /// <summary>
    /// What an unfinished response means now, in the interrupted_response gate's terms, so status and the gates agree:
    /// settled (undone or acknowledged), still blocking, or too old for the gate to look at.
    /// </summary>
    private static string Unfinished(AuditRecord started, IReadOnlyList<AuditRecord> log, DateTimeOffset now)
    {
        var settledBy = log.LastOrDefault(r => r.ResponseId == started.ResponseId && r.Event is AuditEvents.UndoApplied or AuditEvents.InterruptionAcknowledged)?.Event;
        return settledBy switch
        {
            AuditEvents.UndoApplied => "interrupted, settled by undo",
            AuditEvents.InterruptionAcknowledged => "interrupted, settled by acknowledge",
            _ when started.Timestamp > now - InterruptedResponses.LookBack =>
                $"interrupted: blocks applies ({InterruptedResponses.BlockName}) until undone or acknowledged",
            _ => $"interrupted, older than {InterruptedResponses.LookBack.TotalDays:0} days: no longer blocks",
        };
    }
}
