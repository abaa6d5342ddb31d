using PolicyAction.Configuration;
using PolicyAction.Gates;
using PolicyAction.Output;
using PolicyAction.Processes;
using PolicyAction.State;

namespace PolicyAction.Responses;

/// <param name="Trigger">In a runner, the trigger key recorded with an applied response (see TriggerGate).</param>
/// <param name="Reserve">
/// In a runner, claims the response's slot on the shared branch before anything runs (see BranchReservation),
/// so concurrent runs cannot together exceed the rate limit. Returns null when reserved, or why not.
/// </param>
internal sealed record RespondRequest(
    PolicyLevel Level,
    bool Apply,
    string? ExpectedPlanDigest,
    string? Trigger = null,
    Func<AuditRecord, CancellationToken, Task<Reservation>>? Reserve = null);

/// <summary>The answer to a reservation: granted, or refused by the named gates (evaluated on the shared log).</summary>
internal sealed record Reservation(bool Granted, IReadOnlyList<string> BlockedBy, string Message);

internal sealed record RespondResult(int ExitCode, ResponseReport Report, GateEvaluation Gates);

/// <summary>
/// Plans the actions configured for a level, checks the gates, and either previews them (the default)
/// or runs them, keeping undo records and the audit log.
/// </summary>
internal sealed class ResponseService
{
    public const int MaxCapturedOutputChars = 64 * 1024;
    public const long MaxUndoBytesPerFile = 16 * 1024 * 1024;
    public const string PlanDigestGate = "plan_digest";

    /// <summary>How far back the last recorded level is looked for.</summary>
    public static readonly TimeSpan LevelHistoryLookBack = TimeSpan.FromDays(31);

    private readonly StateStore _store;
    private readonly PolicyConfig _config;
    private readonly GateEvaluator _gates;
    private readonly ExecutableResolver _resolver;
    private readonly IProcessRunner _processes;
    private readonly TimeProvider _clock;
    private readonly Reporter _reporter;
    private readonly RunContext _context;

    public ResponseService(
        StateStore store,
        PolicyConfig config,
        GateEvaluator gates,
        ExecutableResolver resolver,
        IProcessRunner processes,
        TimeProvider clock,
        Reporter reporter,
        RunContext context)
    {
        _store = store;
        _config = config;
        _gates = gates;
        _resolver = resolver;
        _processes = processes;
        _clock = clock;
        _reporter = reporter;
        _context = context;
    }

    public GateEvaluation EvaluateGates()
    {
        var log = _store.AuditLog.ReadSince(_clock.GetUtcNow() - GateEvaluator.Window);
        if (log.Warning is not null)
        {
            _reporter.Warning(log.Warning);
        }

        return _gates.Evaluate(new GateInputs(_store.ReadTrust(), _store.ReadBrake(), log.Records, _config.Gates));
    }

    /// <summary>Settles an interrupted response as it is, so applies can run again; refuses any other response.</summary>
    public int Acknowledge(Guid responseId, string reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new UsageException("--reason must not be empty: say what you checked");
        }

        var interrupted = InterruptedResponses.Find(_store.AuditLog, _clock.GetUtcNow()).FirstOrDefault(r => r.ResponseId == responseId)
            ?? throw new UsageException($"response {responseId:D} is not an interrupted response in the last {InterruptedResponses.LookBack.TotalDays:0} days of {_store.Paths.Relative(_store.AuditLog.Path)}; nothing to acknowledge");
        _store.AuditLog.Append(Record(AuditEvents.InterruptionAcknowledged, responseId, string.Empty) with { Policy = interrupted.Policy, Reason = reason.Trim() });
        _reporter.Line($"acknowledged: {interrupted.Describe()}; recorded in {_store.Paths.Relative(_store.AuditLog.Path)}. Applies may run again.");
        return ExitCodes.Success;
    }

    public async Task<RespondResult> RespondAsync(RespondRequest request, CancellationToken cancellationToken)
    {
        var responseId = Guid.NewGuid();
        var mode = request.Apply ? ResponseModes.Apply : ResponseModes.DryRun;
        var trust = _store.ReadTrust();
        var brake = _store.ReadBrake();
        var gates = EvaluateGates();
        var definitions = _config.ActionsFor(request.Level);
        var digest = PlanDigest.Compute(request.Level, definitions, gates, trust.Locked ? trust.LockId : null, brake.IsEngaged ? brake.EngagedAt : null);
        var level = request.Level.ToName();

        ResponseReport Report(IReadOnlyList<ActionReport> results, string? message, IReadOnlyList<string>? blockedBy = null) => new()
        {
            ResponseId = responseId,
            Policy = level,
            Mode = mode,
            CreatedAt = gates.EvaluatedAt,
            ActionsPlanned = definitions.Count,
            SafetyGatesPassed = gates.Passed,
            BlockedBy = blockedBy ?? gates.BlockedBy,
            Gates = gates.Gates,
            Results = results,
            PlanDigest = digest,
            Message = message,
        };

        if (request.Level == PolicyLevel.Green || definitions.Count == 0)
        {
            var message = request.Level == PolicyLevel.Green
                ? "policy is GREEN: no automated response is needed; nothing was executed"
                : $"no actions are configured for {level} in {_config.SourcePath}; nothing was executed";
            var noop = Report([], message, []);
            RecordLevel(level, mode);
            if (!request.Apply)
            {
                _store.WritePreview(noop);
            }

            return new RespondResult(ExitCodes.Success, noop, gates);
        }

        var plan = ResolvePlan(request.Level, definitions, digest);
        RecordLevel(level, mode);
        var planned = plan.Actions.Select(a => Planned(a, mode, null)).ToArray();

        if (!gates.Passed)
        {
            var message = $"blocked by {string.Join(", ", gates.BlockedBy)}: nothing was executed";
            return Blocked(Report(planned, message), gates, request.Apply, message);
        }

        if (request.ExpectedPlanDigest is { } expected && !string.Equals(expected.Trim(), digest, StringComparison.OrdinalIgnoreCase))
        {
            var message = $"the plan changed since it was approved: approved {expected.Trim()}, current {digest}. "
                + "Nothing was executed; review the new preview and approve its digest.";
            return Blocked(Report(planned, message, [PlanDigestGate]), gates, request.Apply, message);
        }

        // Checked in dry runs too, so a preview says now what would stop the apply.
        if (InterruptedResponses.Find(_store.AuditLog, _clock.GetUtcNow()) is [var interrupted, ..])
        {
            var message = $"blocked by {InterruptedResponses.BlockName}: {InterruptedResponses.Advice(interrupted)}";
            return Blocked(Report(planned, message, [InterruptedResponses.BlockName]), gates, request.Apply, message);
        }

        if (!request.Apply)
        {
            var preview = Report(planned, $"dry run: {planned.Length} action(s) would run; apply with --apply or POLICY_AUTO_APPLY=true");
            _store.WritePreview(preview);
            return new RespondResult(ExitCodes.Success, preview, gates);
        }

        return await ApplyAsync(plan, Report([], null), gates, request, cancellationToken).ConfigureAwait(false);
    }

    private ResponsePlan ResolvePlan(PolicyLevel level, IReadOnlyList<ActionDefinition> definitions, string digest)
    {
        var problems = new List<string>();
        var actions = new List<PlannedAction>();
        foreach (var definition in definitions)
        {
            var (path, problem) = _resolver.Resolve(definition.Run[0]);
            if (path is null)
            {
                problems.Add($"{_config.SourcePath}: levels.{level.ToName()}: action '{definition.Id}': {problem}");
            }
            else
            {
                actions.Add(new PlannedAction(definition, path));
            }
        }

        if (problems.Count > 0)
        {
            throw new UsageException($"cannot plan the {level.ToName()} response; nothing was executed:{Environment.NewLine}  " + string.Join($"{Environment.NewLine}  ", problems));
        }

        return new ResponsePlan(level, actions, digest);
    }

    /// <param name="responseId">Known once a response is applied; a preview keeps the &lt;response_id&gt; placeholder.</param>
    private static ActionReport Planned(PlannedAction action, string mode, Guid? responseId) => new()
    {
        Action = action.Id,
        Description = action.Definition.Description,
        Command = action.CommandLine,
        Status = ActionStatuses.Planned,
        Stdout = mode == ResponseModes.DryRun ? $"[DRY-RUN] Would execute: {TextTable.Quote(action.CommandLine)}" : string.Empty,
        Reversible = action.Definition.IsReversible,
        Paths = action.Definition.IsReversible ? action.Definition.ReversiblePaths : null,
        UndoInstruction = UndoInstruction(action.Definition, responseId),
    };

    private static string? UndoInstruction(ActionDefinition definition, Guid? responseId)
    {
        var text = definition.UndoInstruction
            ?? (definition.IsReversible ? $"policy-response undo <response_id> --apply restores {string.Join(", ", definition.ReversiblePaths)}" : null);
        return responseId is { } id ? text?.Replace("<response_id>", id.ToString("D"), StringComparison.Ordinal) : text;
    }

    private RespondResult Blocked(ResponseReport report, GateEvaluation gates, bool apply, string message)
    {
        var blocked = new BlockedReport
        {
            ResponseId = report.ResponseId,
            Policy = report.Policy,
            Mode = report.Mode,
            BlockedAt = gates.EvaluatedAt,
            BlockedBy = report.BlockedBy,
            Gates = gates.Gates,
            Message = message,
            AuditMarker = BlockedReport.Marker(gates.EvaluatedAt),
        };
        _store.WriteBlockedReport(blocked);
        if (!apply)
        {
            _store.WritePreview(report);
        }

        _store.AuditLog.Append(Record(AuditEvents.ResponseBlocked, report.ResponseId, report.Policy, report.Mode) with
        {
            Timestamp = gates.EvaluatedAt,
            PlanDigest = report.PlanDigest,
            ActionsPlanned = report.ActionsPlanned,
            BlockedBy = report.BlockedBy,
            Reason = message,
        });
        return new RespondResult(ExitCodes.Blocked, report, gates);
    }

    private async Task<RespondResult> ApplyAsync(ResponsePlan plan, ResponseReport template, GateEvaluation gates, RespondRequest request, CancellationToken cancellationToken)
    {
        var responseId = template.ResponseId;
        var level = plan.Level.ToName();
        var started = Record(AuditEvents.ResponseStarted, responseId, level) with
        {
            PlanDigest = plan.Digest,
            ActionsPlanned = plan.Actions.Count,
            Trigger = request.Trigger,
        };
        if (request.Reserve is { } reserve)
        {
            var reservation = await reserve(started, cancellationToken).ConfigureAwait(false);
            if (!reservation.Granted)
            {
                var blocked = template with { SafetyGatesPassed = false, BlockedBy = reservation.BlockedBy, Message = reservation.Message, Results = plan.Actions.Select(a => Planned(a, ResponseModes.Apply, null)).ToArray() };
                return Blocked(blocked, gates, apply: true, reservation.Message);
            }
        }

        _store.AuditLog.Append(started);

        var results = new List<ActionReport>();
        var undo = new UndoJournal(_store, responseId, level, _clock.GetUtcNow());
        var failed = 0;
        var stop = false;
        foreach (var action in plan.Actions)
        {
            if (stop)
            {
                results.Add(Planned(action, ResponseModes.Apply, responseId) with { Status = ActionStatuses.Skipped, Stdout = "skipped: an earlier action failed" });
                LogAction(responseId, level, action.Id, ActionStatuses.Skipped, null, null, "an earlier action failed");
                continue;
            }

            var report = await RunOneAsync(action, undo, responseId, level, cancellationToken).ConfigureAwait(false);
            results.Add(report);
            if (report.Status != ActionStatuses.Succeeded)
            {
                failed++;
                stop = !action.Definition.ContinueOnError;
            }
        }

        undo.Complete();
        var status = failed == 0 ? ActionStatuses.Succeeded : ActionStatuses.Failed;
        _store.AuditLog.Append(Record(AuditEvents.ResponseFinished, responseId, level) with
        {
            Status = status,
            ActionsFailed = failed,
        });

        var message = failed == 0
            ? $"applied {results.Count} action(s)"
            : $"{failed} action(s) failed; see the audit log {_store.Paths.Relative(_store.AuditLog.Path)}";
        var result = template with
        {
            Results = results,
            ActionsFailed = failed,
            UndoFile = undo.Written ? _store.Paths.Relative(_store.Paths.UndoRecord(responseId)) : null,
            Message = message,
        };
        return new RespondResult(failed == 0 ? ExitCodes.Success : ExitCodes.ActionFailed, result, gates);
    }

    private async Task<ActionReport> RunOneAsync(PlannedAction action, UndoJournal undo, Guid responseId, string level, CancellationToken cancellationToken)
    {
        var planned = Planned(action, ResponseModes.Apply, responseId);
        if (action.Definition.IsReversible)
        {
            var refusal = undo.Capture(action.Definition, planned.UndoInstruction);
            if (refusal is not null)
            {
                LogAction(responseId, level, action.Id, ActionStatuses.Failed, null, null, refusal);
                _reporter.Warning($"action {action.Id} was not run: {refusal}");
                return planned with { Status = ActionStatuses.Failed, Stdout = string.Empty, Stderr = refusal };
            }
        }

        _reporter.Line($"▶ {action.Id}: {TextTable.Quote(action.CommandLine)}");
        var environment = ChildEnvironment.Build(_context.Environment, new Dictionary<string, string>
        {
            ["POLICY_RESPONSE_ID"] = responseId.ToString("D"),
            ["POLICY_LEVEL"] = level,
            ["POLICY_ACTION_ID"] = action.Id,
        });
        var spec = new ProcessSpec(
            action.Executable,
            action.Arguments,
            _store.Paths.Root,
            environment,
            TimeSpan.FromSeconds(action.Definition.TimeoutSeconds),
            MaxCapturedOutputChars);
        ProcessOutcome outcome;
        using (_reporter.Untrusted())
        {
            outcome = await _processes.RunAsync(spec, (stream, line) => _reporter.ChildOutput(action.Id, stream, line), cancellationToken).ConfigureAwait(false);
        }

        var status = outcome switch
        {
            { TimedOut: true } => ActionStatuses.TimedOut,
            { StartError: not null } => ActionStatuses.Failed,
            { ExitCode: 0 } => ActionStatuses.Succeeded,
            _ => ActionStatuses.Failed,
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
            _reporter.Warning($"action {action.Id} {detail}");
        }

        var durationMs = (long)outcome.Duration.TotalMilliseconds;
        LogAction(responseId, level, action.Id, status, outcome.ExitCode, durationMs, detail);
        return planned with
        {
            Status = status,
            Stdout = outcome.Stdout,
            Stderr = outcome.StartError ?? outcome.Stderr,
            ExitCode = outcome.ExitCode,
            DurationMs = durationMs,
        };
    }

    private void LogAction(Guid responseId, string level, string action, string status, int? exitCode, long? durationMs, string? detail) =>
        _store.AuditLog.Append(Record(AuditEvents.ActionFinished, responseId, level) with
        {
            Action = action,
            Status = status,
            ExitCode = exitCode,
            DurationMs = durationMs,
            Detail = detail,
        });

    /// <summary>Appends to the level history (the audit log's level_changed records) when the level differs from the last one.</summary>
    private void RecordLevel(string level, string mode)
    {
        // Bounded: a level unchanged for longer than this is recorded again (harmless: no previous level, so no flip).
        var last = _store.AuditLog.FindLast(r => r.Event == AuditEvents.LevelChanged, _clock.GetUtcNow() - LevelHistoryLookBack);
        if (last?.Policy == level)
        {
            return;
        }

        _store.AuditLog.Append(new AuditRecord
        {
            Timestamp = _clock.GetUtcNow(),
            Event = AuditEvents.LevelChanged,
            Actor = _context.Actor,
            Policy = level,
            PreviousPolicy = last?.Policy,
            Mode = mode,
            RunUrl = _context.RunUrl,
        });
    }

    /// <summary>The fields every record of one response carries.</summary>
    private AuditRecord Record(string eventName, Guid responseId, string level, string mode = ResponseModes.Apply) => new()
    {
        Timestamp = _clock.GetUtcNow(),
        Event = eventName,
        Actor = _context.Actor,
        ResponseId = responseId,
        Policy = level,
        Mode = mode,
        RunUrl = _context.RunUrl,
    };
}
