using PolicyAction.Gates;
using PolicyAction.Output;
using PolicyAction.RunnerProtocol;
using PolicyAction.Scaffolding;

namespace PolicyAction.ActionHost;

/// <summary>What the reader of a job summary does next: a sentence, and the command to copy when there is one.</summary>
internal sealed record NextStep(string Text, string? Command = null)
{
    // The workflows as init scaffolds them: the reader copies the command into a terminal with gh.
    private const string Runner = WorkflowTemplates.ResponseRunner;
    private const string Control = WorkflowTemplates.Control;

    // The control workflow requires a reason, recorded in the audit log: the reader writes their own.
    private const string Reason = "-f reason=\"<why>\"";

    public static NextStep Apply(string planDigest) => new(
        $"**Next:** to apply exactly this plan, dispatch the response runner with its digest (an apply waits for a reviewer in the `policy-apply` environment; if anything the plan covers changes first, nothing runs):",
        $"gh workflow run {Runner} -f auto_apply=true -f plan_digest={planDigest}");

    public static NextStep Undo(Guid responseId, IReadOnlyList<string> paths) => new(
        $"**Undo:** puts back {string.Join(", ", paths.Select(p => $"`{JobSummary.Cell(p)}`"))} from before this response (waits for a reviewer in `policy-apply`):",
        $"gh workflow run {Control} -f command=undo -f response_id={responseId:D} {Reason}");

    /// <summary>The undo record stayed in this job's workspace (commit-artifacts off, or the commit failed): the control workflow cannot read it.</summary>
    public static NextStep UndoNotCommitted(string undoFile, IReadOnlyList<string> paths) => new(
        $"**Undo:** the undo record `{JobSummary.Cell(undoFile)}` was not committed (artifacts are not committed, or the commit failed), so the control workflow cannot undo this response. "
        + $"Restore {string.Join(", ", paths.Select(p => $"`{JobSummary.Cell(p)}`"))} by hand, or from a clone that holds the record: `policy-response undo <response_id> --apply`.");

    public static NextStep NothingToUndo(bool failed) => new(failed
        ? "**Next:** nothing reversible ran, so there is nothing to undo. Fix what the failed action reports (below), then preview the response again:"
        : "**Undo:** none of these actions is reversible by the tool; see each action's undo instruction in the full record.",
        failed ? $"gh workflow run {Runner}" : null);

    /// <summary>What lets a response through the gate that blocked it, with what this run's records tell.</summary>
    public static NextStep Release(GateResult gate, ReleaseHints hints) => Release(gate, hints.RateLimitSlotAt, hints.Interrupted, hints.InterruptedHasUndoRecord);

    /// <summary>What lets a response through the gate that blocked it.</summary>
    /// <param name="rateLimitSlotAt">When the 24 h window next frees a slot, when known.</param>
    /// <param name="interrupted">The unfinished response the interrupted_response gate names, when known.</param>
    /// <param name="interruptedHasUndoRecord">Whether its undo record is on the branch, for the control workflow's undo.</param>
    public static NextStep Release(GateResult gate, DateTimeOffset? rateLimitSlotAt, Guid? interrupted, bool interruptedHasUndoRecord = true) => gate.Name switch
    {
        GateNames.SafetyBrake => new(
            "**To release:** when the incident allows automated responses again, release the brake (waits for a reviewer in `policy-apply`), then run the response again:",
            $"gh workflow run {Control} -f command=brake-release {Reason}"),
        GateNames.TrustGuard => new(
            "**To release:** unlock the trust guard (waits for a reviewer in `policy-apply`; someone other than who locked it uses `command=trust-force-unlock` with `-f lock_id=…`), then run the response again:",
            $"gh workflow run {Control} -f command=trust-unlock {Reason}"),
        GateNames.RateLimit => new(rateLimitSlotAt is { } at
            ? $"**To release:** wait: the 24 h window frees a slot at {Times.Format(at)}; then run the response again:"
            : "**To release:** wait until the oldest applied response of the last 24 h leaves the window; then run the response again:",
            $"gh workflow run {Runner}"),
        GateNames.ManualUnlocks => new(
            "**To release:** wait: automation resumes once the manual unlocks of the last 24 h age out (see the gate's detail)."),
        GateNames.PlanDigest => new(
            "**To release:** the plan changed after it was approved. Preview it again and approve the new digest from that run's summary:",
            $"gh workflow run {Runner}"),
        GateNames.InterruptedResponse when interrupted is { } id && !interruptedHasUndoRecord => new(
            $"**To release:** an earlier apply never finished and may have half-applied, and its undo record never reached the branch. Check the workspace and restore by hand what it changed, then accept it as it is (waits for a reviewer in `policy-apply`):",
            $"gh workflow run {Control} -f command=acknowledge -f response_id={id:D} {Reason}"),
        GateNames.InterruptedResponse when interrupted is { } id => new(
            $"**To release:** an earlier apply never finished and may have half-applied. Check the workspace, then either undo it or accept it as it is (each waits for a reviewer in `policy-apply`):",
            $"gh workflow run {Control} -f command=undo -f response_id={id:D} {Reason}\ngh workflow run {Control} -f command=acknowledge -f response_id={id:D} {Reason}"),
        _ => new($"**To release:** {Output.InertMarkdown.Code(gate.Detail)}"),
    };

    public void Write(JobSummary summary)
    {
        summary.Paragraph(Text);
        if (Command is not null)
        {
            summary.Code(Command);
        }
    }
}
