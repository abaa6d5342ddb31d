using System.Diagnostics;
using PolicyAction.State;

namespace PolicyAction.Orchestrator;

/// <summary>An evaluation as it ran: the decision, whether it was recorded, and how long reading the signals took.</summary>
internal sealed record EvaluationResult(LevelDecision Decision, bool Recorded, TimeSpan Elapsed, IReadOnlyDictionary<string, TimeSpan> SignalTimes);

/// <summary>
/// evaluate: reads every signal through its provider, decides the level on the memory state/policy_state.json
/// keeps (<see cref="LevelEvaluator"/>), and, when recording, writes the state file (level, why, who, memory) and
/// the audit log's <c>level_evaluated</c> record, plus <c>level_changed</c> when the level changed.
/// </summary>
internal sealed class LevelEvaluation(IReadOnlyList<ISignalProvider> providers, StateStore store, RunContext run, TimeProvider clock)
{
    /// <summary>How far back <c>evaluate --explain</c> reads a signal's values.</summary>
    public static readonly TimeSpan ExplainWindow = TimeSpan.FromDays(31);

    public async Task<EvaluationResult> EvaluateAsync(IReadOnlyList<SignalDefinition> signals, EvaluationSettings settings, bool record, CancellationToken cancellationToken)
    {
        // The memory the decision rests on is read first: an unreadable state file fails the run (exit 2) before any signal runs.
        var state = store.ReadPolicyState();
        PolicyLevel? previous = null;
        if (state is not null)
        {
            previous = PolicyLevels.TryParse(state.Level, out var level)
                ? level
                : throw new StateFileException(store.Paths.PolicyState, $"level '{state.Level}' is not GREEN, YELLOW or RED");
        }

        var watch = Stopwatch.StartNew();
        var (readings, times) = await ReadAllAsync(signals, cancellationToken).ConfigureAwait(false);
        var elapsed = watch.Elapsed;
        var now = clock.GetUtcNow();
        var decision = LevelEvaluator.Decide(readings, settings, previous, state?.Evaluation, now);
        if (record)
        {
            Record(decision, state, now);
        }

        return new EvaluationResult(decision, record, elapsed, times);
    }

    /// <summary>
    /// One signal after another: commands keep their output in order in the log, and GitHub asks clients to send
    /// one request at a time (concurrent requests are what its secondary rate limits punish).
    /// </summary>
    private async Task<(List<(SignalDefinition, SignalReading)> Readings, Dictionary<string, TimeSpan> Times)> ReadAllAsync(IReadOnlyList<SignalDefinition> signals, CancellationToken cancellationToken)
    {
        var times = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var readings = new List<(SignalDefinition, SignalReading)>();
        foreach (var signal in signals)
        {
            readings.Add((signal, await ReadOneAsync(signal, times, cancellationToken).ConfigureAwait(false)));
        }

        return (readings, times);
    }

    private async Task<SignalReading> ReadOneAsync(SignalDefinition signal, Dictionary<string, TimeSpan> times, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        SignalReading reading;
        if (providers.FirstOrDefault(p => p.Reads(signal.Source)) is not { } provider)
        {
            reading = SignalReading.Unknown($"no provider reads {signal.Source.Kind} signals");
        }
        else
        {
            try
            {
                reading = await provider.ReadAsync(signal, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A provider names its failures as unknown readings; anything it missed is unknown too, never zero.
                reading = SignalReading.Unknown($"{signal.Source.Kind} signal failed: {RunnerProtocol.CommandLines.OneLine(e.Message)}");
            }
        }

        times[signal.Id] = watch.Elapsed;

        return reading;
    }

    private void Record(LevelDecision decision, PolicyStateFile? before, DateTimeOffset now)
    {
        var level = decision.Level.ToName();
        store.WritePolicyState(new PolicyStateFile
        {
            Level = level,
            UpdatedAt = now,
            EvaluatedBy = run.RunUrl ?? $"{run.Actor} (outside a runner)",
            Reasons = decision.Signals.Select(ReasonOf).ToArray(),
            Evaluation = decision.Memory,

            // Fields another tool keeps in the file stay.
            Extra = before?.Extra,
        });

        var template = new AuditRecord
        {
            Timestamp = now,
            Event = AuditEvents.LevelEvaluated,
            Actor = run.Actor,
            ClaimedActor = run.ClaimedActor,
            RunUrl = run.RunUrl,
        };
        store.AuditLog.Append(template with
        {
            Policy = level,
            PreviousPolicy = decision.Previous?.ToName(),
            Detail = decision.Why,
            Signals = decision.Signals.Select(ObservationOf).ToArray(),
        });
        LevelHistory.Record(store.AuditLog, level, template with { Event = AuditEvents.LevelChanged });
    }

    public static LevelReason ReasonOf(SignalOutcome outcome) => new()
    {
        Signal = outcome.Signal.Id,
        Value = outcome.Reading.Display,
        State = outcome.State,
        Counts = outcome.Signal.DryRun ? PolicyLevel.Green.ToName() : outcome.Counts.ToName(),
        Condition = outcome.Pending is { } pending ? $"{outcome.Condition}; {pending}" : outcome.Condition,
        Since = outcome.Since,
        Detail = outcome.Reading.UnknownReason ?? outcome.Reading.Detail,
        DryRun = outcome.Signal.DryRun ? true : null,
    };

    private static SignalObservation ObservationOf(SignalOutcome outcome) => new()
    {
        Id = outcome.Signal.Id,
        Value = outcome.Reading.Value,
        State = outcome.State,
        Counts = outcome.Counts.ToName() == outcome.State ? null : outcome.Counts.ToName(),
        Detail = outcome.Reading.UnknownReason ?? outcome.Reading.Detail,
        DryRun = outcome.Signal.DryRun ? true : null,
    };

    /// <summary>A signal's recorded values, oldest first, from the <c>level_evaluated</c> records of the last 31 days.</summary>
    /// <param name="warn">Shown an incomplete record (torn by an interrupted write) the read skipped.</param>
    public IReadOnlyList<(AuditRecord Evaluation, SignalObservation Observation)> History(string signalId, Action<string> warn)
    {
        var read = store.AuditLog.ReadSince(clock.GetUtcNow() - ExplainWindow, kind => kind.Event == AuditEvents.LevelEvaluated);
        if (read.Warning is not null)
        {
            warn(read.Warning);
        }

        return read.Records
            .Where(r => r.Event == AuditEvents.LevelEvaluated)
            .SelectMany(r => (r.Signals ?? []).Where(s => s.Id == signalId).Select(s => (r, s)))
            .ToArray();
    }
}
