using PolicyAction.Cli;
using PolicyAction.Configuration;
using PolicyAction.Alerts;
using PolicyAction.Gates;
using PolicyAction.GitHub;
using PolicyAction.Output;
using PolicyAction.Responses;
using PolicyAction.RunnerProtocol;
using PolicyAction.State;

namespace PolicyAction.Pipeline;

/// <summary>What the action's container runs: read the inputs and the event, then run the stages in log groups.</summary>
internal sealed class ActionPipeline : IDisposable
{
    public static readonly IReadOnlyList<string> Commands = ["run", "gates", "respond", "alerts"];
    public static readonly IReadOnlyList<string> CommitModes = ["true", "false", "apply-only"];

    private readonly CommandServices _services;
    private readonly ActionInputs _inputs;
    private readonly ActionContext _context;
    private RetryingHandler? _handler;
    private OctokitRepositoryApi? _api;
    private string? _branch;

    /// <summary>The branch as the job checked it out and as this run's own commits left it, so writes start without reading it.</summary>
    private readonly BranchKnowledge _knowledge = new();

    private readonly string? _commandOverride;

    /// <param name="command">The stage to run; null reads the action's 'command' input (default run).</param>
    public ActionPipeline(CommandServices services, string? command = null)
    {
        _commandOverride = command;
        var environment = services.Context.Environment;
        _inputs = new ActionInputs(environment);

        // Mask the token before anything else is printed, so no later line can reveal it.
        if (_inputs.GetString("github-token") is { } token)
        {
            services.Reporter.Output.WriteLine(WorkflowCommands.AddMask(token));
        }

        var config = _inputs.GetString("config") is { } relative ? Path.GetFullPath(relative, services.Paths.Root) : null;
        _services = services.With(new Reporter(services.Reporter.Output, services.Reporter.Error, workflowCommands: true), config);
        _context = ActionContext.FromEnvironment(environment);
    }

    private Reporter Reporter => _services.Reporter;

    public void Dispose() => _handler?.Dispose();

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var command = _commandOverride ?? _inputs.GetString("command") ?? "run";
        if (!Commands.Contains(command, StringComparer.Ordinal))
        {
            throw new UsageException($"input 'command' must be one of {string.Join(", ", Commands)}; got '{command}'");
        }

        var wantApply = _inputs.GetBoolean("auto-apply", false) | CommandTree.ResolveApply(false, _services.Context.Variable(CommandTree.AutoApplyVariable));
        var failOnBlocked = _inputs.GetBoolean("fail-on-blocked", false);
        var commitMode = _inputs.GetString("commit-artifacts") ?? "apply-only";
        if (!CommitModes.Contains(commitMode, StringComparer.Ordinal))
        {
            throw new UsageException($"input 'commit-artifacts' must be true, false or apply-only; got '{commitMode}'");
        }

        // Checked before anything runs: a name git would refuse must not surface only after a response applied.
        _branch = _inputs.GetString("commit-branch") is { } branch ? BranchName.Validate(branch, "input 'commit-branch'") : null;

        var respond = command is "run" or "gates" or "respond";
        var level = respond ? _services.ResolveLevel(_inputs.GetString("policy"), "input 'policy'") : (PolicyLevel?)null;
        var summary = new JobSummary().Heading(level is { } known ? $"Policy response: {known.ToName()}" : "Policy alerts", 2);
        var outputs = new ActionOutputs();

        using var workspaceLock = _services.LockWorkspace();
        var baseline = ArtifactCommitter.Snapshot(_services.Paths);
        _knowledge.RememberCheckout(baseline, _context.Ref);
        var exitCode = ExitCodes.Success;
        RespondResult? result = null;

        if (level is { } policy)
        {
            var responses = _services.Responses();
            GateEvaluation gates;
            TriggerVerdict trigger;
            using (Reporter.Group("Gate evaluation"))
            {
                gates = responses.EvaluateGates();
                trigger = TriggerGate.Evaluate(_context, _services.Store.AuditLog.ReadSince(_services.Clock.GetUtcNow() - TriggerGate.RerunWindow).Records);
                Reporter.Text(ConsoleRenderer.Gates(gates));
                Reporter.Line($"trigger: {trigger.Reason}");
                if (wantApply && !trigger.ApplyAllowed)
                {
                    Reporter.Warning($"apply refused: {trigger.Reason}. This run is a dry run.", "Policy response: apply refused");
                }
            }

            SummarizeGates(summary, gates, trigger);
            if (command == "gates")
            {
                outputs.Blocked(!gates.Passed, gates.BlockedBy);
                Finish(outputs, summary);
                return gates.Passed || !failOnBlocked ? ExitCodes.Success : ExitCodes.Blocked;
            }

            result = await RespondAsync(responses, policy, wantApply && trigger.ApplyAllowed, trigger.Trigger, commitMode, cancellationToken).ConfigureAwait(false);
            SummarizeResponse(summary, result);
            outputs.Response(result);
            exitCode = result.ExitCode == ExitCodes.Blocked && !failOnBlocked ? ExitCodes.Success : result.ExitCode;
        }

        if (command is "run" or "alerts")
        {
            var alertsExit = await AlertsAsync(summary, outputs, commitMode, cancellationToken).ConfigureAwait(false);
            exitCode = exitCode == ExitCodes.Success ? alertsExit : exitCode;
        }

        // apply-only: commit when a log gained records (a response applied or blocked, a new level, an alert changed), not for a preview alone.
        ChainHead? committedCheckpoint = null;
        if (commitMode == "true" || (commitMode == "apply-only" && ArtifactCommitter.LogsChanged(baseline, _services.Paths)))
        {
            try
            {
                using (Reporter.Group("Commit artifacts"))
                {
                    var outcome = await CommitAsync(baseline, result, cancellationToken).ConfigureAwait(false);
                    if (outcome is not null)
                    {
                        outputs.Set("commit-sha", outcome.CommitSha);
                        summary.Paragraph($"**Committed:** `{outcome.CommitSha}` ({string.Join(", ", outcome.Paths.Select(p => $"`{p}`"))})");
                        committedCheckpoint = outcome.Checkpoint;
                    }
                }
            }
            catch (PolicyActionException e)
            {
                // The response already ran: report it fully, then fail the step so the missing commit is seen.
                Reporter.Failure(e.Message, "Policy response: artifacts not committed");
                summary.Paragraph($"**Artifacts not committed:** {JobSummary.Cell(e.Message)}");
                exitCode = exitCode == ExitCodes.Success ? e.ExitCode : exitCode;
            }
        }

        SummarizeCheckpoint(summary, committedCheckpoint);
        Finish(outputs, summary);
        return exitCode;
    }

    /// <summary>The audit log's head, printed every run so a later truncation or rewrite shows against it.</summary>
    private void SummarizeCheckpoint(JobSummary summary, ChainHead? committed)
    {
        var head = committed ?? _services.Store.AuditLog.Head();
        if (head.Seq == 0)
        {
            return;
        }

        var where = committed is null ? "in the workspace" : "as committed";
        Reporter.Line($"audit log checkpoint ({where}): {head}");
        summary.Paragraph($"**Audit log checkpoint** ({where}): `{head}` · check it later with `policy-response verify-log --checkpoint {head}`");
    }

    private async Task<RespondResult> RespondAsync(ResponseService responses, PolicyLevel level, bool apply, string trigger, string commitMode, CancellationToken cancellationToken)
    {
        RespondResult result;
        using (Reporter.Group("Response"))
        {
            // With the branch as shared state, claim the slot there first; without it (commit-artifacts: false) the local log is all there is.
            Func<State.AuditRecord, CancellationToken, Task<Reservation>>? reserve = null;
            if (apply && commitMode != "false")
            {
                reserve = async (started, token) =>
                {
                    var (api, branch) = await ConnectAsync(token).ConfigureAwait(false);
                    var reservation = new BranchReservation(api, branch, _services.Config.Gates.MaxResponsesPer24Hours, _services.Clock, _knowledge);
                    var answer = await reservation.ReserveAsync(started, token).ConfigureAwait(false);
                    Reporter.Line(answer.Message);
                    return answer;
                };
            }

            result = await responses.RespondAsync(new RespondRequest(level, apply, _inputs.GetString("plan-digest"), trigger, reserve), cancellationToken).ConfigureAwait(false);
            Reporter.Text(ConsoleRenderer.Response(result, _services.Paths));
        }

        if (result.ExitCode == ExitCodes.Blocked)
        {
            Reporter.Warning(result.Report.Message ?? "blocked", "Policy response blocked");
        }
        else if (result.ExitCode == ExitCodes.ActionFailed)
        {
            Reporter.Failure(result.Report.Message ?? "an action failed", "Policy response: action failed");
        }

        return result;
    }

    private async Task<int> AlertsAsync(JobSummary summary, ActionOutputs outputs, string commitMode, CancellationToken cancellationToken)
    {
        using (Reporter.Group("Alerts"))
        {
            var settings = _services.Config.Alerts;
            var service = new Alerts.AlertService(_services.Store, _services.Config, _services.Clock);
            var previous = service.ReadPrevious();
            var connected = HasToken;
            if (!connected)
            {
                Reporter.Warning("no github-token: fix branches are not evaluated and no issues are filed", "Policy alerts: no GitHub access");
            }

            IReadOnlyList<string>? branches = null;
            if (connected && settings.Rules[AlertIds.FixBranches].Enabled)
            {
                var (api, _) = await ConnectAsync(cancellationToken).ConfigureAwait(false);
                branches = await ((IIssuesApi)api).ListBranchesAsync(settings.Rules[AlertIds.FixBranches].Prefix, cancellationToken).ConfigureAwait(false);
            }

            var check = service.Check(branches);
            var report = check.Report;
            var issueUrls = new List<string>();
            if (connected && report.Alerts.Any(a => a.Active || a.IssueNumber is not null || (previous?.Alerts.Any(p => p.Id == a.Id && p.IssueNumber is not null) ?? false)))
            {
                var (api, branch) = await ConnectAsync(cancellationToken).ConfigureAwait(false);
                var runbook = _context.Repository is null ? null : $"{_context.ServerUrl.TrimEnd('/')}/{_context.Repository}/blob/{branch}/docs/runbook.md";
                // The branch is the shared state that lets concurrent checks agree on who opens an issue; without commits there is none.
                var claim = commitMode == "false" ? null : new Alerts.IssueClaim(api, branch, _services.Clock, Claimant(), _knowledge);
                var manager = new Alerts.AlertIssueManager((IIssuesApi)api, api, settings, _services.Clock, _context.RunUrl, runbook, claim, service.AppendHistory);
                var sync = await manager.SyncAsync(report, previous, branch, cancellationToken).ConfigureAwait(false);
                report = sync.Report;
                issueUrls.AddRange(sync.IssueUrls);
                service.Save(report, sync.Actions);
                foreach (var action in sync.Actions)
                {
                    Reporter.Line(action.ToString());
                }
            }

            Reporter.Text(ConsoleRenderer.Alerts(check with { Report = report }));
            foreach (var alert in report.Alerts.Where(a => a.Active))
            {
                var message = $"{alert.Id} ({alert.Severity}): {alert.Observed}, threshold {alert.Threshold}" + (alert.IssueUrl is null ? string.Empty : $" — {alert.IssueUrl}");
                if (alert.ParsedSeverity >= Severity.High)
                {
                    Reporter.Failure(message, "Policy alert firing");
                }
                else
                {
                    Reporter.Warning(message, "Policy alert firing");
                }
            }

            AlertSummary.Write(summary, report);
            outputs.Set("alerts", string.Join(',', report.Alerts.Where(a => a.Active).Select(a => a.Id)));
            outputs.Set("issue-urls", string.Join('\n', issueUrls));
            return new AlertEvaluator(_services.Clock, settings).ShouldFail(report) ? ExitCodes.ActionFailed : ExitCodes.Success;
        }
    }

    /// <summary>Names this run in a claim: the workflow run and attempt when known, and a random part so two local runs differ.</summary>
    private string Claimant() => Alerts.IssueClaim.ClaimantFor(_context.RunId, _context.RunAttempt);

    private bool HasToken => !string.IsNullOrEmpty(_inputs.GetString("github-token") ?? _services.Context.Variable("GITHUB_TOKEN"));

    /// <summary>One client for the whole run (one request at a time, one retry budget), made when first needed.</summary>
    private async Task<(IRepositoryApi Api, string Branch)> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_api is null)
        {
            var token = _inputs.GetString("github-token") ?? _services.Context.Variable("GITHUB_TOKEN");
            if (string.IsNullOrEmpty(token))
            {
                throw new UsageException("no github-token input (and no GITHUB_TOKEN): cannot reach the repository; give the job 'contents: write' and pass ${{ github.token }}, or set commit-artifacts: false");
            }

            var repository = _context.Repository ?? throw new UsageException("GITHUB_REPOSITORY is not set: cannot tell which repository to use");
            _handler = new RetryingHandler(new HttpClientHandler(), RetryPolicy.Default, _services.Clock, message => Reporter.Line(message));
            _api = OctokitRepositoryApi.Create(_context.ApiUrl, token, repository, _handler);
        }

        _branch ??= _context.DefaultBranch is { } payloadBranch
            ? BranchName.Validate(payloadBranch, "the event payload's repository.default_branch")
            : BranchName.Validate(await _api.GetDefaultBranchAsync(cancellationToken).ConfigureAwait(false), "the repository's default branch");

        return (_api, _branch);
    }

    private async Task<CommitOutcome?> CommitAsync(Dictionary<string, byte[]> baseline, RespondResult? result, CancellationToken cancellationToken)
    {
        var (api, branch) = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var message = result?.Report is { } report
            ? $"policy-response: {report.Policy} {report.Mode} {report.ResponseId:D}\n\n{report.Message}\nPlan digest: {report.PlanDigest}\n"
            : "policy-response: alerts\n\n";
        message += _context.RunUrl is { } url ? $"Run: {url}\n" : string.Empty;
        var outcome = await new ArtifactCommitter(api, _services.Paths, _knowledge).CommitAsync(baseline, branch, message, cancellationToken).ConfigureAwait(false);
        Reporter.Line(outcome is null
            ? "no artifact changed; nothing to commit"
            : $"committed {outcome.Paths.Count} file(s) to {branch} as {outcome.CommitSha}" + (outcome.Retries > 0 ? $" after {outcome.Retries} retr{(outcome.Retries == 1 ? "y" : "ies")} (the branch moved)" : string.Empty)
                + $" · {_handler?.Sent} API request(s) in this run");
        return outcome;
    }

    private void Finish(ActionOutputs outputs, JobSummary summary)
    {
        if (_services.Context.Variable("GITHUB_OUTPUT") is { Length: > 0 } outputFile)
        {
            foreach (var (name, value) in outputs.Values)
            {
                FileCommands.AppendKeyValue(outputFile, name, value);
            }
        }

        if (_services.Context.Variable("GITHUB_STEP_SUMMARY") is { Length: > 0 } summaryFile)
        {
            FileCommands.Append(summaryFile, summary.Render());
        }
    }

    private void SummarizeGates(JobSummary summary, GateEvaluation gates, TriggerVerdict trigger)
    {
        summary.Table(
            ["Gate", "Result", "Observed", "Limit", "Detail"],
            gates.Gates.Select(g => (IReadOnlyList<string>)[g.Name, g.Passed ? "✅ pass" : "⛔ block", g.Observed, g.Limit, g.Detail]));
        summary.Paragraph($"**Trigger:** {JobSummary.Cell(trigger.Reason)}" + (_context.RunUrl is { } url ? $" · [this run]({url})" : string.Empty));
    }

    private static void SummarizeResponse(JobSummary summary, RespondResult result)
    {
        var report = result.Report;
        summary.Paragraph($"**Mode:** {report.Mode} · **Response:** `{report.ResponseId:D}` · **Plan digest:** `{report.PlanDigest}`");
        if (report.Results.Count > 0)
        {
            summary.Table(
                ["Action", "Status", "Command", "Reversible"],
                report.Results.Select(a => (IReadOnlyList<string>)[a.Action, a.Status, $"`{string.Join(' ', a.Command)}`", a.Reversible ? "yes" : "no"]));
        }

        if (report.UndoFile is not null)
        {
            summary.Paragraph($"**Undo:** `policy-response undo {report.ResponseId:D} --apply` (record `{report.UndoFile}`)");
        }

        if (report.Message is not null)
        {
            summary.Paragraph(JobSummary.Cell(report.Message));
        }
    }
}
