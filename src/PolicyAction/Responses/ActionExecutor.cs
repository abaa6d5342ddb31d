using PolicyAction.Configuration;
using PolicyAction.Gates;
using PolicyAction.Output;
using PolicyAction.Processes;
using PolicyAction.State;

namespace PolicyAction.Responses;

/// <summary>
/// Applies a plan: reserves its slot (in a runner, on the shared branch), records <c>response_started</c>, runs each
/// action as a contained child process with undo captured first, and records how each ended and how the response did.
/// </summary>
internal sealed class ActionExecutor(ResponseRecorder recorder, IProcessRunner processes, TimeProvider clock, Reporter reporter, RunContext context)
{
    public const int MaxCapturedOutputChars = 64 * 1024;

    public async Task<RespondResult> ApplyAsync(ResponsePlan plan, ResponseReport template, GateEvaluation gates, RespondRequest request, Func<BranchState, GateEvaluation> recheck, CancellationToken cancellationToken)
    {
        var responseId = template.ResponseId;
        var level = plan.Level.ToName();
        var started = recorder.Record(AuditEvents.ResponseStarted, responseId, level) with
        {
            PlanDigest = plan.Digest,
            ActionsPlanned = plan.Actions.Count,
            Trigger = request.Runner is { } runner ? TriggerGate.KeyOf(runner) : null,
        };
        if (request.Reserve is { } reserve)
        {
            var reservation = await reserve(started, recheck, cancellationToken).ConfigureAwait(false);
            if (!reservation.Granted)
            {
                var blocked = template with { SafetyGatesPassed = false, BlockedBy = reservation.BlockedBy, Message = reservation.Message, Results = plan.Actions.Select(a => ResponseService.NotRun(ResponseService.Planned(a, ResponseMode.Apply, null))).ToArray() };
                return recorder.Blocked(blocked, gates, apply: true, reservation.Message);
            }
        }

        recorder.Store.AuditLog.Append(started);
        request.BeforeRunning?.Invoke(template, gates, plan.Actions.Count);

        var results = new List<ActionReport>();
        var undo = new UndoJournal(recorder.Store, responseId, level, clock.GetUtcNow());
        var failed = 0;
        var stop = false;
        foreach (var action in plan.Actions)
        {
            if (stop)
            {
                results.Add(ResponseService.NotRun(ResponseService.Planned(action, ResponseMode.Apply, responseId)) with { Status = ActionStatus.Skipped, Stdout = "skipped: an earlier action failed" });
                recorder.LogAction(responseId, level, action.Id, ActionStatus.Skipped, null, null, "an earlier action failed");
                continue;
            }

            var report = await RunOneAsync(action, undo, responseId, level, cancellationToken).ConfigureAwait(false);
            results.Add(report);
            if (report.Status != ActionStatus.Succeeded)
            {
                failed++;
                stop = !action.Definition.ContinueOnError;
            }
        }

        undo.Complete();
        var status = failed == 0 ? ActionStatuses.Succeeded : ActionStatuses.Failed;
        recorder.Store.AuditLog.Append(recorder.Record(AuditEvents.ResponseFinished, responseId, level) with
        {
            Status = status,
            ActionsFailed = failed,
        });

        var message = failed == 0
            ? $"applied {results.Count} action(s)"
            : $"{failed} action(s) failed; see the audit log {recorder.Store.Paths.Relative(recorder.Store.AuditLog.Path)}";
        var result = template with
        {
            Results = results,
            ActionsFailed = failed,
            UndoFile = undo.Written ? recorder.Store.Paths.Relative(recorder.Store.Paths.UndoRecord(responseId)) : null,
            Message = message,
        };
        return new RespondResult(failed == 0 ? ResponseOutcome.Applied : ResponseOutcome.ActionFailed, result, gates);
    }

    private async Task<ActionReport> RunOneAsync(PlannedAction action, UndoJournal undo, Guid responseId, string level, CancellationToken cancellationToken)
    {
        var planned = ResponseService.Planned(action, ResponseMode.Apply, responseId);
        if (action.Definition.IsReversible)
        {
            var refusal = undo.Capture(action.Definition, planned.UndoInstruction);
            if (refusal is not null)
            {
                recorder.LogAction(responseId, level, action.Id, ActionStatus.Failed, null, null, refusal);
                reporter.Warning($"action {action.Id} was not run: {refusal}");
                return ResponseService.NotRun(planned) with { Status = ActionStatus.Failed, Stdout = string.Empty, Stderr = refusal };
            }
        }

        reporter.Line($"▶ {action.Id}: {TextTable.Quote(action.CommandLine)}");
        var environment = ChildEnvironment.Build(context.Environment, new Dictionary<string, string>
        {
            ["POLICY_RESPONSE_ID"] = responseId.ToString("D"),
            ["POLICY_LEVEL"] = level,
            ["POLICY_ACTION_ID"] = action.Id,
        });
        var spec = new ProcessSpec(
            action.Executable,
            action.Arguments,
            recorder.Store.Paths.Root,
            environment,
            TimeSpan.FromSeconds(action.Definition.TimeoutSeconds),
            MaxCapturedOutputChars);
        ProcessOutcome outcome;
        using (reporter.Untrusted())
        {
            outcome = await processes.RunAsync(spec, (stream, line) => reporter.ChildOutput(action.Id, stream, line), cancellationToken).ConfigureAwait(false);
        }

        // What the action left (also when it failed: undo restores a half-done change too).
        undo.Settle();

        var status = outcome switch
        {
            { TimedOut: true } => ActionStatus.TimedOut,
            { StartError: not null } => ActionStatus.Failed,
            { ExitCode: 0 } => ActionStatus.Succeeded,
            _ => ActionStatus.Failed,
        };
        var detail = outcome switch
        {
            { TimedOut: true } => $"timed out after {action.Definition.TimeoutSeconds} s; its process tree was killed",
            { StartError: { } error } => error,
            { ExitCode: not 0 } => $"exited with code {outcome.ExitCode}",
            _ => null,
        };
        if (outcome.StraysKilled > 0)
        {
            // Left running, they would act on the workspace unsupervised after the response is recorded as done.
            var strays = $"{outcome.StraysKilled} process(es) it left running were killed";
            detail = detail is null ? strays : $"{detail}; {strays}";
        }

        if (detail is not null)
        {
            reporter.Warning($"action {action.Id} {detail}");
        }

        var durationMs = (long)outcome.Duration.TotalMilliseconds;
        recorder.LogAction(responseId, level, action.Id, status, outcome.ExitCode, durationMs, detail);
        return planned with
        {
            Status = status,
            Stdout = outcome.Stdout,
            Stderr = outcome.StartError ?? outcome.Stderr,
            ExitCode = outcome.ExitCode,
            DurationMs = durationMs,
        };
    }
}
