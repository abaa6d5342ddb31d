using PolicyAction.Configuration;
using PolicyAction.Orchestrator;
using PolicyAction.Output;
using PolicyAction.RunnerProtocol;
using PolicyAction.State;

namespace PolicyAction.ActionHost;

/// <summary>
/// The orchestrator's stage: every signal read, the level decided and recorded (state/policy_state.json and the
/// audit log), shown in the log and the job summary with why, and set as the level, level-changed and
/// signals-firing outputs. The commit that follows carries it to the branch.
/// </summary>
internal sealed class EvaluateStage(LevelEvaluation evaluation, PolicyConfig config, WorkspacePaths paths, Reporter reporter)
{
    /// <param name="announce">
    /// Whether the level change is announced here; evaluate alone announces it once its round is final (a round lost to
    /// a race is evaluated again, and its change may not be the one committed).
    /// </param>
    public async Task<EvaluationResult> RunAsync(JobSummary summary, ActionOutputs outputs, CancellationToken cancellationToken, bool announce = true)
    {
        if (config.Signals.Count == 0)
        {
            throw new UsageException($"command 'evaluate' computes the level from signals, and {config.SourcePath} has no 'signals:'; add signals (policy-response init writes examples) or give the level with the 'policy' input instead");
        }

        using (reporter.Group($"Evaluate the policy level ({config.Signals.Count} signal(s))"))
        {
            var result = await evaluation.EvaluateAsync(config.Signals, config.Evaluation, record: true, cancellationToken).ConfigureAwait(false);
            var stateFile = paths.Relative(paths.PolicyState);
            reporter.Text(EvaluationText.Terminal(result, stateFile));
            var decision = result.Decision;
            if (announce)
            {
                Announce(reporter, decision);
            }

            foreach (var unknown in decision.Signals.Where(s => s.State == SignalOutcome.Unknown))
            {
                reporter.Warning($"signal {unknown.Signal.Id} is unknown: {unknown.Reading.UnknownReason ?? unknown.Condition}", "Policy level: signal unknown");
            }

            EvaluationText.Summary(summary, result, stateFile);
            outputs.Evaluation(decision);
            return result;
        }
    }

    /// <summary>The level change as a notice on the run, when the level changed.</summary>
    public static void Announce(Reporter reporter, LevelDecision decision)
    {
        if (decision.Changed && decision.Previous is { } before)
        {
            reporter.Notice($"policy level {before.ToName()} → {decision.Level.ToName()}: {decision.Why}", "Policy level changed");
        }
    }
}
