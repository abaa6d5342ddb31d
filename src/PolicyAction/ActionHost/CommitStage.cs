using PolicyAction.GitHub;
using PolicyAction.Orchestrator;
using PolicyAction.Output;
using PolicyAction.Responses;
using PolicyAction.RunnerProtocol;
using PolicyAction.SharedBranch;
using PolicyAction.State;

namespace PolicyAction.ActionHost;

/// <summary>The commit stage: the run's changed artifacts, or a control command's change, as one commit on the shared branch.</summary>
internal sealed class CommitStage(WorkspacePaths paths, GitHubConnector github, BranchKnowledge knowledge, ActionContext context, Reporter reporter)
{
    /// <summary>apply-only: commit when a log gained records (a response applied or blocked, a new level, an alert changed), not for a preview alone.</summary>
    public bool Wanted(CommitMode mode, Dictionary<string, byte[]> baseline) =>
        mode == CommitMode.Always || (mode == CommitMode.ApplyOnly && ArtifactCommitter.LogsChanged(baseline, paths));

    /// <param name="evaluated">This run's evaluation, whose level file the commit carries (null: the level file is left out).</param>
    /// <param name="guardLevel">
    /// The level file must still be on the branch as the evaluation read it (its memory decided the level), else
    /// <see cref="BranchStateMovedException"/>: evaluate then evaluates again on the branch's state; run commits the
    /// rest without it.
    /// </param>
    /// <param name="levelKeptOut">The level file lost a race (see <paramref name="guardLevel"/>): committed without it, already warned about.</param>
    public Task<CommitOutcome?> RunAsync(Dictionary<string, byte[]> baseline, RespondResult? result, CancellationToken cancellationToken, EvaluationResult? evaluated = null, bool guardLevel = false, bool levelKeptOut = false)
    {
        // Each field on a line of its own: text from state files and inputs cannot add lines (a trailer) to it.
        var message = result?.Report is { } report
            ? $"policy-response: {report.Policy} {report.Mode.ToWire()} {report.ResponseId:D}\n\n{CommandLines.OneLine(report.Message)}\nPlan digest: {CommandLines.OneLine(report.PlanDigest)}\n"
            : evaluated is not null ? "policy-response: evaluate\n\n" : "policy-response: alerts\n\n";
        if (evaluated?.Decision is { } decision)
        {
            message += $"Level: {decision.Level.ToName()}" + (decision.Changed && decision.Previous is { } before ? $" (was {before.ToName()})" : string.Empty) + $"\nWhy: {CommandLines.OneLine(decision.Why)}\n";
        }

        var ownUndo = result?.Report is { Mode: ResponseMode.Apply } applied ? applied.ResponseId : (Guid?)null;
        return CommitAsync(evaluated is not null && result is null ? "Commit the level" : "Commit artifacts", baseline, message, ownUndo, controlState: false, evaluated is not null || levelKeptOut, guardLevel ? WorkspacePaths.IsPolicyState : null, cancellationToken, levelKeptOut);
    }

    /// <summary>A control command's change (the brake or trust file, the audit log, an undo record) as one commit naming who, why and the run.</summary>
    /// <param name="ownUndo">The response whose undo record the command rewrote (undo), or null.</param>
    public Task<CommitOutcome?> RunAsync(Dictionary<string, byte[]> baseline, string command, ControlRequest control, string actor, Guid? ownUndo, CancellationToken cancellationToken)
    {
        var message = $"policy-response: {command}\n\nReason: {CommandLines.OneLine(control.Reason)}\nActor: {CommandLines.OneLine(actor)}\n"
            + (control.ResponseId is { } id ? $"Response: {id:D}\n" : string.Empty);
        return CommitAsync("Commit the state change", baseline, message, ownUndo, controlState: true, evaluated: false, _ => true, cancellationToken);
    }

    private async Task<CommitOutcome?> CommitAsync(string group, Dictionary<string, byte[]> baseline, string message, Guid? ownUndo, bool controlState, bool evaluated, Func<string, bool>? guard, CancellationToken cancellationToken, bool levelKeptOut = false)
    {
        using (reporter.Group(group))
        {
            var (forge, branch) = await github.ConnectAsync(cancellationToken).ConfigureAwait(false);
            message += context.RunUrl is { } url ? $"Run: {CommandLines.OneLine(url)}\n" : string.Empty;
            var ownUndoPath = ownUndo is { } id ? paths.Relative(paths.UndoRecord(id)) : null;
            var outcome = await new ArtifactCommitter(forge, paths, knowledge)
                .CommitAsync(baseline, branch, message, cancellationToken, path => AdmitUndoRecord(path, ownUndoPath) && AdmitControlState(path, controlState) && AdmitPolicyState(path, evaluated) && !(levelKeptOut && WorkspacePaths.IsPolicyState(path)), (path, bytes) => VerifyUndoRecord(path, bytes, ownUndo),
                    // A control command decided on the state it read: the brake, the trust lock or the undo record it rewrites
                    // must still be that on the branch, or the newer state would be overwritten.
                    guardBaseline: guard)
                .ConfigureAwait(false);
            reporter.Line(outcome is null
                ? "no artifact changed; nothing to commit"
                : $"committed {outcome.Paths.Count} file(s) to {branch} as {outcome.CommitSha}" + (outcome.Retries > 0 ? $" after {outcome.Retries} retr{(outcome.Retries == 1 ? "y" : "ies")} (the branch moved)" : string.Empty)
                    + $" · {github.Sent} API request(s) in this run");
            return outcome;
        }
    }

    /// <summary>
    /// The trust lock and the brake are committed only by the control commands that change them: a response's
    /// action that rewrote one (to release the brake, say) must not reach the branch, where every later run reads it.
    /// </summary>
    private bool AdmitControlState(string path, bool controlState)
    {
        if (controlState || !WorkspacePaths.IsControlState(path))
        {
            return true;
        }

        reporter.Warning($"{path} was left out of the commit: only the control commands (brake-engage, brake-release, trust-lock, trust-unlock, trust-force-unlock) change it", "Policy response: file left out");
        return false;
    }

    /// <summary>The level file is committed only by a run that evaluated it: an action that rewrote it must not set the level every later run reads.</summary>
    private bool AdmitPolicyState(string path, bool evaluated)
    {
        if (evaluated || !WorkspacePaths.IsPolicyState(path))
        {
            return true;
        }

        reporter.Warning($"{path} was left out of the commit: only evaluate (or run with policy: evaluate) changes the level", "Policy response: file left out");
        return false;
    }

    /// <summary>
    /// An undo record is committed only when this run wrote it: the one of its own applied response (or of the response
    /// it undid). Any other file
    /// by that name (an action can drop one, or a link of that name to /proc/self/environ) is left out, unread.
    /// </summary>
    private bool AdmitUndoRecord(string path, string? ownUndo)
    {
        if (!WorkspacePaths.IsUndoRecord(path) || path == ownUndo)
        {
            return true;
        }

        reporter.Warning($"{path} was left out of the commit: it is not the undo record of this run's response", "Policy response: file left out");
        return false;
    }

    /// <summary>The run's own undo record must still be one, of its response (an action may have overwritten it).</summary>
    private static string? VerifyUndoRecord(string path, byte[] bytes, Guid? ownUndo)
    {
        if (!WorkspacePaths.IsUndoRecord(path))
        {
            return null;
        }

        try
        {
            var record = System.Text.Json.JsonSerializer.Deserialize(bytes, ResponseJsonContext.Default.UndoRecord);
            return record?.ResponseId == ownUndo ? null : "is not the undo record of this run's response (its response id differs); it was changed after the tool wrote it";
        }
        catch (System.Text.Json.JsonException e)
        {
            return $"is not an undo record ({State.JsonProblem.Explain(bytes, e, ResponseJsonContext.Default.UndoRecord)}); it was changed after the tool wrote it";
        }
    }
}
