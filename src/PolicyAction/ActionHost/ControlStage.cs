using PolicyAction.GitHub;
using PolicyAction.Output;
using PolicyAction.Responses;
using PolicyAction.RunnerProtocol;
using PolicyAction.Safety;
using PolicyAction.SharedBranch;
using PolicyAction.State;

namespace PolicyAction.ActionHost;

/// <summary>
/// A control command (brake-engage, trust-lock, undo, ...): the state change exactly as its CLI command makes it
/// (undo is <c>undo --apply</c>), recorded with the runner's actor and this run, then committed through the same
/// race-safe commit as the artifacts, so that every later run's gates see it. Until that commit lands the change
/// exists only in this job's workspace: a failed commit fails the step.
/// </summary>
internal sealed class ControlStage(
    ActionSettings settings,
    StateStore store,
    RunContext run,
    Lazy<ResponseService> responses,
    TimeProvider clock,
    Reporter reporter,
    CommitStage commit,
    GitHubConnector github)
{
    /// <param name="lastRound">False while the caller will read the branch again and retry when another run changed the state meanwhile.</param>
    public async Task<ActionRunResult> RunAsync(ControlRequest control, Dictionary<string, byte[]> baseline, bool lastRound, CancellationToken cancellationToken)
    {
        var name = settings.CommandName;
        StateChange change;
        using (reporter.Group($"policy-response {name}"))
        {
            change = Apply(control);
        }

        var summary = new JobSummary().Heading($"Policy control: {name}", 2);
        summary.Paragraph($"**{JobSummary.Cell(Capitalized(change.Message))}** · by {JobSummary.Cell(run.Actor)} · reason: {JobSummary.Cell(control.Reason)}");
        var outputs = new ActionOutputs();
        PolicyActionException? commitFailure = null;
        CommitOutcome? outcome = null;
        try
        {
            outcome = await commit.RunAsync(baseline, name, control, run.Actor, settings.Command == ActionCommand.Undo ? control.ResponseId : null, cancellationToken).ConfigureAwait(false);
            if (outcome is null)
            {
                summary.Paragraph("**Nothing to commit:** the state already was as asked.");
            }
            else
            {
                var branch = (await github.ConnectAsync(cancellationToken).ConfigureAwait(false)).Branch;
                outputs.Set("commit-sha", outcome.CommitSha);
                summary.Paragraph($"**Committed** to `{JobSummary.Cell(branch)}`: `{outcome.CommitSha}` ({string.Join(", ", outcome.Paths.Select(p => $"`{p}`"))})");
            }
        }
        catch (PolicyActionException e) when (lastRound || e is not BranchStateMovedException)
        {
            reporter.Failure($"{e.Message}. The {name} is only in this job's workspace, so no later run sees it: dispatch the workflow again (not Re-run)", "Policy control: state change not committed");
            summary.Paragraph($"**Not committed:** {JobSummary.Cell(e.Message)}. The change is only in this job's workspace, so no later run sees it: dispatch the workflow again (not Re-run).");
            commitFailure = e;
        }

        if (settings.Command == ActionCommand.Undo && change.Changed)
        {
            summary.Paragraph("**No file was restored:** every path the response changed already holds its original on the branch (a workflow's apply changes only its own checkout), so the undo record is marked undone. The tool commits its own state, never the files actions change; see the runbook's rollback section.");
        }

        if (ActionSummary.Checkpoint(
                summary,
                outcome?.Checkpoint ?? store.AuditLog.Head(),
                outcome?.Checkpoint is not null,
                outcome?.CheckpointSegment ?? store.Paths.Relative(store.AuditLog.Newest().Path)) is { } line)
        {
            reporter.Line(line);
        }

        ActionSummary.Finish(run, outputs, summary);
        return new ActionRunResult(null, null, false, commitFailure, settings.FailOnBlocked);
    }

    /// <summary>The CLI command's own service, so the action changes the state exactly as the CLI would.</summary>
    private StateChange Apply(ControlRequest control) => settings.Command switch
    {
        ActionCommand.BrakeEngage => Brake().Engage(control.Reason),
        ActionCommand.BrakeRelease => Brake().Release(control.Reason),
        ActionCommand.TrustLock => Trust().Lock(control.Reason),
        ActionCommand.TrustUnlock => Trust().Unlock(control.Reason),
        ActionCommand.TrustForceUnlock => Trust().ForceUnlock(control.LockId!, control.Reason),
        ActionCommand.Undo => new UndoService(store, clock, reporter, run).Run(control.ResponseId!.Value, apply: true, reason: control.Reason, restoresAreLost: true),
        ActionCommand.Acknowledge => responses.Value.Acknowledge(control.ResponseId!.Value, control.Reason),
        _ => throw new InvalidOperationException($"{settings.CommandName} is not a control command"),
    };

    private SafetyBrake Brake() => new(store, clock, reporter, run);

    private TrustGuard Trust() => new(store, clock, reporter, run);

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
