using PolicyAction.Alerts;
using PolicyAction.Configuration;
using PolicyAction.GitHub;
using PolicyAction.Orchestrator;
using PolicyAction.Output;
using PolicyAction.Responses;
using PolicyAction.RunnerProtocol;
using PolicyAction.SharedBranch;
using PolicyAction.State;

namespace PolicyAction.ActionHost;

/// <summary>
/// What the action's container runs, as explicit stages in log groups: gate evaluation, response, alerts, commit of
/// the artifacts, then the outputs and the job summary; or, for a control command, the state change and its commit
/// (<see cref="ControlStage"/>). Its collaborators come from the composition root; the
/// services that read the configuration are made when a stage first needs them, so a problem is reported in the
/// order the stages meet it.
/// </summary>
internal sealed class ActionRun(
    ActionSettings settings,
    ActionContext context,
    RunContext run,
    StateStore store,
    Lazy<ResponseService> responses,
    Lazy<AlertService> alerts,
    Lazy<PolicyConfig> config,
    Lazy<LevelEvaluation> evaluation,
    GitHubConnector github,
    TimeProvider clock,
    Reporter reporter)
{
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(30);

    /// <summary>How many times a control command reads the branch and decides again when another run changed its state meanwhile.</summary>
    public const int MaxControlRounds = 3;

    /// <summary>The branch as the job checked it out and as this run's own commits left it, so writes start without reading it.</summary>
    private readonly BranchKnowledge _knowledge = new();

    public async Task<ActionRunResult> RunAsync(CancellationToken cancellationToken)
    {
        using var workspaceLock = WorkspaceLock.Acquire(store.Paths.LockFile, LockWait, store.Paths.Root, cancellationToken);
        if (settings.Control is { } control)
        {
            return await ControlAsync(control, cancellationToken).ConfigureAwait(false);
        }

        if (settings.Command == ActionCommand.Evaluate)
        {
            return await EvaluateAsync(cancellationToken).ConfigureAwait(false);
        }

        var checkedOut = await ReadStateBranchAsync(cancellationToken).ConfigureAwait(false) ?? context.Ref;

        // Taken before any stage writes: the evaluation writes the level file, which the commit then carries.
        var baseline = ArtifactCommitter.Snapshot(store.Paths);
        _knowledge.RememberCheckout(baseline, checkedOut);
        // The stages' own sections (evaluation, alerts) and the full record; the lead that says what happened is
        // written once the response has ended, and goes first.
        var summary = new JobSummary();
        var record = new JobSummary();
        var lead = new JobSummary();
        var outputs = new ActionOutputs();
        EvaluationResult? evaluated = null;

        // policy: evaluate (run only): the level is computed first, then responded to, in one workflow. Without it, run
        // responds to the level the orchestration's evaluate committed: evaluating again would count twice toward for
        // and calm_for.
        if (settings.EvaluatesFirst)
        {
            // Everything that can fail with exit 2 fails before the evaluation records a level.
            _ = responses.Value;
            alerts.Value.Preflight();
            evaluated = await new EvaluateStage(evaluation.Value, config.Value, store.Paths, reporter).RunAsync(summary, outputs, cancellationToken).ConfigureAwait(false);
        }

        var level = settings.Responds ? PolicyLevelSource.Resolve(store, settings.EvaluatesFirst ? null : settings.Policy, "input 'policy'") : (PolicyLevel?)null;

        // What can still fail with exit 2 (the configuration of both stages, the alert check's files) fails here,
        // before the response stage records anything: exit 2 changes no state.
        if (level is not null)
        {
            _ = responses.Value;
            if (settings.ChecksAlerts)
            {
                alerts.Value.Preflight();
            }
        }

        var shareOnBranch = settings.Commit != CommitMode.Never;
        RespondResult? result = null;
        GateStageResult? gateStage = null;
        var alertsFailing = false;
        PolicyActionException? stageFailure = null;
        var problems = new List<string>();
        SharedBranch.CommitOutcome? committed = null;

        if (level is { } policy)
        {
            var gates = new GateStage(responses.Value, context, reporter).Run(policy, settings.WantApply, settings.PlanDigest, shareOnBranch);
            if (settings.Command == ActionCommand.Gates)
            {
                outputs.Blocked(!gates.Gates.Passed, gates.Gates.BlockedBy);
                ActionSummary.GatesLead(lead, policy.ToName(), gates.Gates, gates.Gates.Passed ? new ReleaseHints(null, null) : Hints());
                ActionSummary.Record(record, gates.Gates, context.RunUrl, null);
                ActionSummary.Finish(run, outputs, ActionSummary.Compose(lead, summary, record));
                return new ActionRunResult(!gates.Gates.Passed, null, false, null, settings.FailOnBlocked);
            }

            result = await new ResponseStage(responses.Value, github, _knowledge, ArtifactCommitter.FromSegment(baseline), context, reporter)
                .RunAsync(policy, gates.Apply, settings.PlanDigest, shareOnBranch, cancellationToken).ConfigureAwait(false);
            gateStage = gates;
            ActionSummary.Record(record, result.Gates, context.RunUrl, result);
            outputs.Response(result);
        }
        else
        {
            lead.Heading("Policy alerts", 2);
        }

        if (settings.ChecksAlerts)
        {
            try
            {
                alertsFailing = await new AlertStage(alerts.Value, github, _knowledge, context, reporter)
                    .RunAsync(summary, outputs, shareOnBranch, cancellationToken).ConfigureAwait(false);
            }
            catch (PolicyActionException e) when (result is not null)
            {
                // The response already ran: its records, summary and outputs must not be lost to a failed alert check
                // (a response whose records never reach the branch reads as interrupted to the next run).
                reporter.Failure(e.Message, "Policy alerts: not checked");
                problems.Add($"**Alerts not checked:** {JobSummary.Cell(e.Message)}");
                stageFailure = e;
            }
        }

        var commit = new CommitStage(store.Paths, github, _knowledge, context, reporter);
        ChainHead? committedCheckpoint = null;
        string? checkpointSegment = null;
        if (commit.Wanted(settings.Commit, baseline))
        {
            try
            {
                committed = await CommitRunAsync(commit, baseline, result, evaluated, cancellationToken).ConfigureAwait(false);
                if (committed is not null)
                {
                    ActionSummary.Committed(record, outputs, committed);
                    committedCheckpoint = committed.Checkpoint;
                    checkpointSegment = committed.CheckpointSegment;
                }
            }
            catch (PolicyActionException e)
            {
                // The response already ran: report it fully, then fail the step so the missing commit is seen.
                reporter.Failure(e.Message, "Policy response: artifacts not committed");
                problems.Add($"**Artifacts not committed:** {JobSummary.Cell(e.Message)}");
                stageFailure ??= e;
            }
        }

        // The lead is written last: what it offers (the control workflow's undo) depends on what reached the branch.
        if (result is not null && gateStage is not null)
        {
            var undoOnBranch = result.Report.UndoFile is { } undoFile && committed is not null && committed.Paths.Contains(undoFile, StringComparer.Ordinal);
            ActionSummary.Lead(lead, result, gateStage, result.Outcome == ResponseOutcome.Blocked ? Hints() : new ReleaseHints(null, null), undoOnBranch, problems);
        }
        else
        {
            problems.ForEach(p => lead.Paragraph(p));
        }

        if (ActionSummary.Checkpoint(
                record,
                committedCheckpoint ?? store.AuditLog.Head(),
                committedCheckpoint is not null,
                checkpointSegment ?? store.Paths.Relative(store.AuditLog.Newest().Path)) is { } line)
        {
            reporter.Line(line);
        }

        ActionSummary.Finish(run, outputs, ActionSummary.Compose(lead, summary, record));
        return new ActionRunResult(null, result?.Outcome, alertsFailing, stageFailure, settings.FailOnBlocked);
    }

    /// <summary>What this run's records tell about releasing a block: when the rate limit frees a slot, which response is unfinished.</summary>
    private ReleaseHints Hints()
    {
        var now = clock.GetUtcNow();
        // One read serves both: the interrupted-response look-back (7 days) covers the rate limit's 24 h window.
        var log = store.AuditLog.ReadSince(now - Gates.InterruptedResponses.LookBack, Gates.GateInputs.Needs).Records;
        var unfinished = Gates.InterruptedResponses.Find(log) is [var first, ..] ? first.ResponseId : (Guid?)null;
        return new ReleaseHints(Gates.RateLimitGate.SlotFreesAt(log, now, config.Value.Gates.MaxResponsesPer24Hours), unfinished)
        {
            // The control workflow's undo reads the record on the branch, which this run's checkout is.
            InterruptedHasUndoRecord = unfinished is { } id && File.Exists(store.Paths.UndoRecord(id)),
        };
    }

    /// <summary>
    /// The run's commit; with policy: evaluate, its level file only if the branch still holds the one it read. When
    /// another evaluation committed one meanwhile, the response has already run on this run's level: the rest is
    /// committed and the newer level kept, with a warning, never overwritten.
    /// </summary>
    private async Task<CommitOutcome?> CommitRunAsync(CommitStage commit, Dictionary<string, byte[]> baseline, RespondResult? result, EvaluationResult? evaluated, CancellationToken cancellationToken)
    {
        try
        {
            return await commit.RunAsync(baseline, result, cancellationToken, evaluated, guardLevel: evaluated is not null).ConfigureAwait(false);
        }
        catch (BranchStateMovedException e) when (evaluated is not null && WorkspacePaths.IsPolicyState(e.Path))
        {
            reporter.Warning(
                $"{e.Path} changed on the branch after this run evaluated (another evaluation committed a level meanwhile): the branch keeps that level; this run's level {evaluated.Decision.Level.ToName()} (which the response used) is recorded in the audit log only",
                "Policy level: not committed");
            return await commit.RunAsync(baseline, result, cancellationToken, levelKeptOut: true).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// evaluate: the level decided on the memory the branch holds and committed only if the branch's level file is
    /// still what the evaluation read; when another run changed it meanwhile, the branch is read again and the level
    /// evaluated again, a bounded number of times (as a control command is).
    /// </summary>
    private async Task<ActionRunResult> EvaluateAsync(CancellationToken cancellationToken)
    {
        var loaded = config.Value;
        for (var round = 1; ; round++)
        {
            // From the second round on, the branch is read even when it is the checkout: it moved after the checkout.
            var checkedOut = await ReadStateBranchAsync(cancellationToken, round == 1 ? null : []).ConfigureAwait(false) ?? context.Ref;
            var baseline = ArtifactCommitter.Snapshot(store.Paths);
            _knowledge.RememberCheckout(baseline, checkedOut);
            var summary = new JobSummary();
            var outputs = new ActionOutputs();
            var evaluated = await new EvaluateStage(evaluation.Value, loaded, store.Paths, reporter).RunAsync(summary, outputs, cancellationToken, announce: false).ConfigureAwait(false);
            PolicyActionException? commitFailure = null;
            if (settings.Commit != CommitMode.Never)
            {
                try
                {
                    var outcome = await new CommitStage(store.Paths, github, _knowledge, context, reporter)
                        .RunAsync(baseline, null, cancellationToken, evaluated, guardLevel: true).ConfigureAwait(false);
                    if (outcome is not null)
                    {
                        ActionSummary.Committed(summary, outputs, outcome);
                    }
                }
                catch (BranchStateMovedException e) when (round < MaxControlRounds)
                {
                    reporter.Line($"{e.Message}: reading the branch again and evaluating on its state (round {round + 1} of {MaxControlRounds})");
                    continue;
                }
                catch (PolicyActionException e)
                {
                    reporter.Failure(e.Message, "Policy level: not committed");
                    summary.Paragraph($"**Level not committed:** {JobSummary.Cell(e.Message)}");
                    commitFailure = e;
                }
            }

            // Only the final round's change is announced, and only when committed: a round lost to a race decided on a
            // level file the branch no longer holds.
            if (commitFailure is null)
            {
                EvaluateStage.Announce(reporter, evaluated.Decision);
            }
            ActionSummary.Finish(run, outputs, summary);
            return new ActionRunResult(null, null, false, commitFailure, settings.FailOnBlocked);
        }
    }

    /// <summary>
    /// A control command, made on the state at the branch's tip (never the checkout's: a dispatched run may wait for
    /// approval for hours) and committed only if the branch still holds what it read; when another run changed that
    /// state meanwhile, the tip is read again and the command decided again, a bounded number of times.
    /// </summary>
    private async Task<ActionRunResult> ControlAsync(ControlRequest control, CancellationToken cancellationToken)
    {
        // The change must reach the branch or it is lost with the job's workspace: fail before making it.
        if (!github.HasToken)
        {
            throw new UsageException($"command '{settings.CommandName}' commits the state it changes and has no github-token input (and no GITHUB_TOKEN); nothing was changed. "
                + "Give the job 'contents: write' and pass github-token: ${{ github.token }}");
        }

        // A re-run keeps the first dispatcher as GITHUB_ACTOR and that dispatch's checkout: it would act in their name.
        if (context.RunAttempt is { } attempt && attempt != "1")
        {
            throw new UsageException($"command '{settings.CommandName}' does not run in a re-run (attempt {CommandLines.OneLine(attempt)}): a re-run acts in the name of whoever first dispatched the run; nothing was changed. "
                + "Dispatch the workflow again instead of re-running it");
        }

        for (var round = 1; ; round++)
        {
            // Undo reads its response's undo record from the branch too; the other undo records are not needed.
            string[] alsoFiles = settings.Command == ActionCommand.Undo && control.ResponseId is { } undone ? [store.Paths.Relative(store.Paths.UndoRecord(undone))] : [];
            var checkedOut = await ReadStateBranchAsync(cancellationToken, alsoFiles).ConfigureAwait(false) ?? context.Ref;
            var before = ArtifactCommitter.Snapshot(store.Paths);
            _knowledge.RememberCheckout(before, checkedOut);
            try
            {
                return await new ControlStage(settings, store, run, responses, clock, reporter, new CommitStage(store.Paths, github, _knowledge, context, reporter), github)
                    .RunAsync(control, before, lastRound: round == MaxControlRounds, cancellationToken).ConfigureAwait(false);
            }
            catch (BranchStateMovedException e) when (round < MaxControlRounds)
            {
                reporter.Line($"{e.Message}: reading the branch again and deciding {settings.CommandName} on its state (round {round + 1} of {MaxControlRounds})");
            }
        }
    }

    /// <summary>
    /// With a state branch (commit-branch names a branch other than the checked-out one), makes the workspace's state
    /// the branch's before any stage reads it (<see cref="StateBranchSync"/>); returns the ref the workspace's state now
    /// stands for, or null when the checkout is the state's branch.
    /// </summary>
    /// <param name="controlFiles">
    /// A control command's further files to read (beyond the state): given, the branch is read even when it is the
    /// checked-out one, since a dispatched run's checkout is as old as the dispatch.
    /// </param>
    private async Task<string?> ReadStateBranchAsync(CancellationToken cancellationToken, IReadOnlyList<string>? controlFiles = null)
    {
        if (controlFiles is null && (settings.CommitBranch is not { } branch || context.Ref == $"refs/heads/{branch}"))
        {
            return null;
        }

        var connection = await github.ConnectAsync(cancellationToken).ConfigureAwait(false);
        using (reporter.Group($"Read state from {connection.Branch}"))
        {
            await new StateBranchSync(connection.Forge, store.Paths, clock.GetUtcNow(), reporter.Line) { AlsoFiles = controlFiles ?? [] }
                .ReadAsync(connection.Branch, DefaultBranchAsync, cancellationToken).ConfigureAwait(false);
            return $"refs/heads/{connection.Branch}";

            async Task<string> DefaultBranchAsync(CancellationToken token) =>
                context.DefaultBranch ?? await connection.Forge.GetDefaultBranchAsync(token).ConfigureAwait(false);
        }
    }
}
