using PolicyAction.Configuration;
using PolicyAction.RunnerProtocol;
using PolicyAction.State;

namespace PolicyAction.Gates;

/// <summary>What the gates look at, read fresh from the workspace on every run (each run is a new process).</summary>
/// <param name="Log">The audit log's records back to the longest look-back of the gates evaluated.</param>
internal sealed record GateInputs(
    DateTimeOffset Now,
    TrustLockState Trust,
    SafetyBrakeState Brake,
    IReadOnlyList<AuditRecord> Log,
    GateLimits Limits)
{
    /// <summary>
    /// The <c>response_started</c> records of the last 31 days that name the run's trigger (the re-run check's
    /// window is longer than the other gates', so it looks them up by its key instead of reading every record).
    /// </summary>
    public IReadOnlyList<AuditRecord> TriggerRecords { get; init; } = [];
    /// <summary>
    /// The records the gates look at: responses' records (the rate limit, the re-run check, interrupted responses)
    /// and what settles an interrupted one, whatever their mode. Blocked runs, level changes and the guard's and
    /// brake's records, most of a history, are not read whole.
    /// </summary>
    public static bool Needs(RecordKind record) => record.Event is AuditEvents.ResponseStarted or AuditEvents.ActionFinished
        or AuditEvents.ResponseFinished or AuditEvents.UndoApplied or AuditEvents.InterruptionAcknowledged;
}

/// <summary>What is asked of the gates.</summary>
/// <param name="Apply">Whether the response would apply (the trigger gate restricts only applies).</param>
/// <param name="Runner">The workflow run's context when the tool runs as the action; null for a person at the CLI.</param>
/// <param name="ExpectedPlanDigest">The digest a reviewer approved; the plan-digest gate holds the plan to it.</param>
/// <param name="PlanDigestOf">Computes the current plan's digest from the inputs and the verdicts it covers; null when no plan is known.</param>
/// <param name="RecordsReachBranch">
/// Whether an applied response's records reach the shared branch before its actions run (the action with
/// <c>commit-artifacts</c> other than <c>false</c>): only then can a re-run of this run see that it applied.
/// </param>
internal sealed record GateRequest(
    bool Apply,
    ActionContext? Runner = null,
    string? ExpectedPlanDigest = null,
    Func<GateInputs, IReadOnlyList<GateResult>, string>? PlanDigestOf = null,
    bool RecordsReachBranch = true);

/// <summary>One gate's view: the inputs, the request, and the current plan's digest when known.</summary>
internal sealed record GateCheck(GateInputs Inputs, GateRequest Request, string? PlanDigest);
