using PolicyAction.Configuration;
using PolicyAction.Gates;
using PolicyAction.Output;
using PolicyAction.Responses;
using PolicyAction.RunnerProtocol;

namespace PolicyAction.ActionHost;

/// <summary>What the gate stage decided: the verdicts, whether the response may apply, and why the trigger refused an apply asked for.</summary>
internal sealed record GateStageResult(GateEvaluation Gates, bool Apply, string? ApplyRefusal);

/// <summary>
/// The first stage: every gate over the workspace, for the workflow run that started the job. An apply that the trigger
/// gate refuses becomes a dry run (with a warning), so an untrusted event can preview but never execute.
/// </summary>
internal sealed class GateStage(ResponseService responses, ActionContext context, Reporter reporter)
{
    /// <param name="recordsReachBranch">Whether an apply's records are committed to the branch (<see cref="GateRequest.RecordsReachBranch"/>).</param>
    public GateStageResult Run(PolicyLevel level, bool wantApply, string? planDigest, bool recordsReachBranch)
    {
        using (reporter.Group("Gate evaluation"))
        {
            var request = new GateRequest(wantApply, context, planDigest, RecordsReachBranch: recordsReachBranch);
            var gates = responses.EvaluateGates(request, level);
            var trigger = gates.Gate(GateNames.Trigger);
            var apply = wantApply && trigger is { Passed: true };
            if (wantApply && !apply)
            {
                // The verdicts a dry run meets: the trigger no longer stands in its way.
                gates = responses.EvaluateGates(request with { Apply = false }, level);
            }

            reporter.Text(GateText.Table(gates));
            reporter.Line($"trigger: {trigger?.Detail}");
            if (wantApply && !apply)
            {
                reporter.Warning($"apply refused: {trigger?.Detail}. This run is a dry run.", "Policy response: apply refused");
            }

            return new GateStageResult(gates, apply, wantApply && !apply ? trigger?.Detail ?? "the trigger gate refused it" : null);
        }
    }
}
