using PolicyAction.Configuration;
using PolicyAction.Gates;
using PolicyAction.Output;
using PolicyAction.Processes;
using PolicyAction.RunnerProtocol;
using PolicyAction.State;

namespace PolicyAction.Responses;

/// <param name="Origin">Whether the level is observed (recorded in the level history) or a what-if (never recorded).</param>
/// <param name="Runner">In a runner, the workflow run: the trigger gate holds applies to it and its key is recorded.</param>
/// <param name="Reserve">
/// In a runner, claims the response's slot on the shared branch before anything runs (see BranchReservation),
/// so concurrent runs cannot together exceed the rate limit. It is given the response_started record and the
/// gates to evaluate again over the branch's records.
/// </param>
/// <param name="BeforeRunning">
/// Called once an apply may run (gates passed, slot reserved), before its first action: with the response's report so
/// far, the gates and the number of actions, so a console can print them above the actions' output.
/// </param>
internal sealed record RespondRequest(
    PolicyLevel Level,
    bool Apply,
    string? ExpectedPlanDigest,
    ActionContext? Runner = null,
    Func<AuditRecord, Func<BranchState, GateEvaluation>, CancellationToken, Task<Reservation>>? Reserve = null,
    bool RecordsReachBranch = true,
    LevelOrigin Origin = LevelOrigin.Observed,
    Action<ResponseReport, GateEvaluation, int>? BeforeRunning = null);

/// <summary>The answer to a reservation: granted, or refused by the named gates (evaluated on the shared log).</summary>
internal sealed record Reservation(bool Granted, IReadOnlyList<string> BlockedBy, string Message);

/// <summary>How a response ended; the CLI maps it to an exit code (<c>Cli/ExitCodeFor</c>).</summary>
internal enum ResponseOutcome
{
    /// <summary>GREEN, or no actions configured for the level: nothing to run.</summary>
    NothingToDo,

    /// <summary>A preview: the plan was written and nothing executed.</summary>
    DryRun,

    /// <summary>Every action ran and succeeded.</summary>
    Applied,

    /// <summary>A gate (or the reservation on the shared branch) blocked it: nothing executed.</summary>
    Blocked,

    /// <summary>An action failed, timed out or could not start.</summary>
    ActionFailed,
}

internal sealed record RespondResult(ResponseOutcome Outcome, ResponseReport Report, GateEvaluation Gates);

/// <summary>
/// Plans the actions configured for a level, checks the gates, and either previews them (the default)
/// or runs them (<see cref="ActionExecutor"/>), keeping undo records and the audit log.
/// </summary>
internal sealed class ResponseService(
    StateStore store,
    PolicyConfig config,
    GateEvaluator gates,
    ExecutableResolver resolver,
    IProcessRunner processes,
    TimeProvider clock,
    Reporter reporter,
    RunContext context)
{
    public const long MaxUndoBytesPerFile = 16 * 1024 * 1024;

    private readonly ResponseRecorder _recorder = new(store, clock, context);

    public WorkspacePaths Paths => store.Paths;

    /// <summary>The gates over the workspace as it is now (trust and brake read once).</summary>
    /// <param name="level">The level whose plan a given digest is compared with; null when no digest is given.</param>
    public GateEvaluation EvaluateGates(GateRequest request, PolicyLevel? level = null) =>
        gates.Evaluate(ReadInputs(request), level is { } known ? request with { PlanDigestOf = DigestOf(known) } : request);

    /// <summary>Settles an interrupted response as it is, so applies can run again; refuses any other response.</summary>
    public StateChange Acknowledge(Guid responseId, string reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new UsageException("--reason must not be empty: say what you checked");
        }

        var interrupted = InterruptedResponses.Find(store.AuditLog, clock.GetUtcNow()).FirstOrDefault(r => r.ResponseId == responseId)
            ?? throw new UsageException($"response {responseId:D} is not an interrupted response in the last {InterruptedResponses.LookBack.TotalDays:0} days of {store.Paths.Relative(store.AuditLog.Path)}; nothing to acknowledge");
        store.AuditLog.Append(_recorder.Record(AuditEvents.InterruptionAcknowledged, responseId, string.Empty) with { Policy = interrupted.Policy, Reason = reason.Trim() });
        reporter.Line($"acknowledged: {interrupted.Describe()}; recorded in {store.Paths.Relative(store.AuditLog.Path)}. Applies may run again.");
        return StateChange.Recorded(store, $"acknowledged: {interrupted.Describe()}. Applies may run again.");
    }

    public async Task<RespondResult> RespondAsync(RespondRequest request, CancellationToken cancellationToken)
    {
        var responseId = Guid.NewGuid();
        var mode = request.Apply ? ResponseMode.Apply : ResponseMode.DryRun;
        var gateRequest = new GateRequest(request.Apply, request.Runner, request.ExpectedPlanDigest, DigestOf(request.Level), request.RecordsReachBranch);
        var inputs = ReadInputs(gateRequest);
        var evaluation = gates.Evaluate(inputs, gateRequest);
        var definitions = config.ActionsFor(request.Level);
        var digest = evaluation.PlanDigest!;
        var level = request.Level.ToName();
        var whatIf = request.Origin == LevelOrigin.WhatIf ? _recorder.WhatIf(level) : null;

        ResponseReport Report(IReadOnlyList<ActionReport> results, string? message, IReadOnlyList<string>? blockedBy = null) => new()
        {
            ResponseId = responseId,
            Policy = level,
            Mode = mode,
            CreatedAt = evaluation.EvaluatedAt,
            ActionsPlanned = definitions.Count,
            SafetyGatesPassed = evaluation.Passed,
            BlockedBy = blockedBy ?? evaluation.BlockedBy,
            Gates = evaluation.Gates,
            Results = results,
            PlanDigest = digest,
            Message = message,
            WhatIf = whatIf,
        };

        if (request.Level == PolicyLevel.Green || definitions.Count == 0)
        {
            var message = request.Level == PolicyLevel.Green
                ? "policy is GREEN: no automated response is needed; nothing was executed"
                : $"no actions are configured for {level} in {config.SourcePath}; nothing was executed";
            var noop = Report([], message, []);
            if (!request.Apply)
            {
                store.WritePreview(noop);
            }

            return Observed(new RespondResult(ResponseOutcome.NothingToDo, noop, evaluation));
        }

        var plan = ResolvePlan(request.Level, definitions, digest);
        return Observed(await DecideAsync(plan).ConfigureAwait(false));

        // The level is recorded once the response is decided and recorded: whatever fails first (exit 2: a plan that
        // cannot resolve, a file that cannot be written) leaves no level_changed record behind. A what-if level is never
        // recorded, not even when an apply ran actions at it (the response's own records carry its policy): recording it
        // made the next run at the state file's level record a flip back although the state never changed.
        RespondResult Observed(RespondResult result)
        {
            if (request.Origin == LevelOrigin.Observed)
            {
                _recorder.RecordLevel(level, mode.ToWire());
            }

            return result;
        }

        async Task<RespondResult> DecideAsync(ResponsePlan plan)
        {
            var planned = plan.Actions.Select(a => Planned(a, mode, null)).ToArray();

            if (!evaluation.Passed)
            {
                var message = evaluation.Message!;
                var blocked = request.Apply ? planned.Select(NotRun).ToArray() : planned;
                return _recorder.Blocked(Report(blocked, message), evaluation, request.Apply, message);
            }

            if (!request.Apply)
            {
                var preview = Report(planned, $"dry run: {planned.Length} action(s) would run; apply with --apply or POLICY_AUTO_APPLY=true");
                store.WritePreview(preview);
                return new RespondResult(ResponseOutcome.DryRun, preview, evaluation);
            }

            // The reservation evaluates the gates that count other runs again, over the shared branch's records, and the
            // brake and trust guard over the branch's files: an operator may have engaged them since the checkout.
            var shared = gates.SharedLogGates();
            // The branch's records from the segment it was read from, after the sealed segments before it (the same everywhere).
            var lookBack = gates.LookBack(gateRequest);
            GateEvaluation Recheck(BranchState branch) => shared.Evaluate(
                inputs with
                {
                    Log = [.. store.AuditLog.ReadSince(inputs.Now - lookBack, GateInputs.Needs, branch.Log.FromSegment).Records, .. branch.Log.Records],
                    TriggerRecords = request.Runner is { } runner ? TriggerGate.RecordsOf(runner, store.AuditLog, inputs.Now, branch.Log.FromSegment) : [],
                    Brake = branch.Brake,
                    Trust = branch.Trust,
                },
                gateRequest);
            var executor = new ActionExecutor(_recorder, processes, clock, reporter, context);
            return await executor.ApplyAsync(plan, Report([], null), evaluation, request, Recheck, cancellationToken).ConfigureAwait(false);
        }
    }

    private GateInputs ReadInputs(GateRequest request)
    {
        var now = clock.GetUtcNow();
        var log = store.AuditLog.ReadSince(now - gates.LookBack(request), GateInputs.Needs);
        if (log.Warning is not null)
        {
            reporter.Warning(log.Warning);
        }

        return new GateInputs(now, store.ReadTrust(), store.ReadBrake(), log.Records, config.Gates)
        {
            TriggerRecords = request.Runner is { } runner ? TriggerGate.RecordsOf(runner, store.AuditLog, now) : [],
        };
    }

    private Func<GateInputs, IReadOnlyList<GateResult>, string> DigestOf(PolicyLevel level) =>
        (inputs, covered) => PlanDigest.Compute(
            level,
            config.ActionsFor(level),
            covered,
            inputs.Trust.Locked ? inputs.Trust.LockId : null,
            inputs.Brake.IsEngaged ? inputs.Brake.EngagedAt : null);

    private ResponsePlan ResolvePlan(PolicyLevel level, IReadOnlyList<ActionDefinition> definitions, string digest)
    {
        var problems = new List<string>();
        var actions = new List<PlannedAction>();
        foreach (var definition in definitions)
        {
            var (path, problem) = resolver.Resolve(definition.Run[0]);
            if (path is null)
            {
                problems.Add($"{config.SourcePath}: levels.{level.ToName()}: action '{definition.Id}': {problem}");
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
    internal static ActionReport Planned(PlannedAction action, ResponseMode mode, Guid? responseId) => new()
    {
        Action = action.Id,
        Description = action.Definition.Description,
        Command = action.CommandLine,
        Status = ActionStatus.Planned,
        Stdout = mode == ResponseMode.DryRun ? $"[DRY-RUN] Would execute: {TextTable.Quote(action.CommandLine)}" : string.Empty,
        Reversible = action.Definition.IsReversible,
        Paths = action.Definition.IsReversible ? action.Definition.ReversiblePaths : null,
        UndoInstruction = UndoInstruction(action.Definition, responseId),
    };

    /// <summary>
    /// An applied action that did not run (skipped, refused before it started, blocked) has nothing to undo: its report
    /// carries no undo instruction, so no one is told to run an undo that has no record.
    /// </summary>
    internal static ActionReport NotRun(ActionReport planned) => planned with { UndoInstruction = null };

    private static string? UndoInstruction(ActionDefinition definition, Guid? responseId)
    {
        var text = definition.UndoInstruction
            ?? (definition.IsReversible ? $"policy-response undo <response_id> --apply restores {string.Join(", ", definition.ReversiblePaths)}" : null);
        return responseId is { } id ? text?.Replace("<response_id>", id.ToString("D"), StringComparison.Ordinal) : text;
    }




}
