using PolicyAction.Configuration;
using PolicyAction.Forge;
using PolicyAction.Gates;
using PolicyAction.GitHub;
using PolicyAction.Output;
using PolicyAction.Responses;
using PolicyAction.RunnerProtocol;
using PolicyAction.SharedBranch;
using PolicyAction.State;

namespace PolicyAction.ActionHost;

/// <summary>
/// The response stage: preview or apply the level's plan. With the branch as shared state (artifacts are committed),
/// an apply first reserves its slot there, the counting gates evaluated again over the branch's records; without it
/// (commit-artifacts: false) the local log is all there is.
/// </summary>
/// <param name="fromSegment">The newest audit log segment the job's checkout had: the reservation reads the branch from it on.</param>
internal sealed class ResponseStage(ResponseService responses, GitHubConnector github, BranchKnowledge knowledge, int fromSegment, ActionContext context, Reporter reporter)
{
    public async Task<RespondResult> RunAsync(PolicyLevel level, bool apply, string? planDigest, bool shareOnBranch, CancellationToken cancellationToken)
    {
        RespondResult result;
        using (reporter.Group("Response"))
        {
            var reserve = apply && shareOnBranch ? ReserveAsync : (Func<AuditRecord, Func<BranchState, GateEvaluation>, CancellationToken, Task<Reservation>>?)null;
            var console = new ResponseConsole(reporter, responses.Paths);
            result = await responses.RespondAsync(new RespondRequest(level, apply, planDigest, context, reserve, shareOnBranch, BeforeRunning: console.Announce), cancellationToken).ConfigureAwait(false);
            console.Finish(result);
        }

        if (result.Outcome == ResponseOutcome.Blocked)
        {
            reporter.Warning(result.Report.Message ?? "blocked", "Policy response blocked");
        }
        else if (result.Outcome == ResponseOutcome.ActionFailed)
        {
            reporter.Failure(result.Report.Message ?? "an action failed", "Policy response: action failed");
        }

        return result;
    }

    private async Task<Reservation> ReserveAsync(AuditRecord started, Func<BranchState, GateEvaluation> recheck, CancellationToken cancellationToken)
    {
        var (forge, branch) = await github.ConnectAsync(cancellationToken).ConfigureAwait(false);
        ReservationOutcome outcome;
        try
        {
            outcome = await new BranchReservation(forge, branch, knowledge, fromSegment)
                .ReserveAsync(started, state => Refusal(recheck(state), state, branch), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ForgeException e) when (!e.Message.Contains(NothingExecuted, StringComparison.Ordinal))
        {
            // The operator's first question at a failed apply: did anything run? Here, nothing did.
            throw new ForgeException($"{e.Message}; the response was not reserved and nothing was executed", e);
        }

        var answer = outcome.Granted
            ? new Reservation(true, [], $"reserved on {branch} as {outcome.CommitSha}")
            : new Reservation(false, outcome.Refusal?.BlockedBy ?? [], outcome.Refusal?.Message ?? "refused");
        reporter.Line(answer.Message);
        return answer;
    }

    private const string NothingExecuted = "nothing was executed";

    /// <summary>The gates' verdict over the branch's records, brake and trust lock as the reservation reports it; null when they pass.</summary>
    private static LogRefusal? Refusal(GateEvaluation gates, BranchState state, string branch) =>
        gates.Passed
            ? null
            : new LogRefusal(
                gates.BlockedBy,
                $"blocked by {string.Join(", ", gates.BlockedBy)} on {branch}: "
                + string.Join("; ", gates.Gates.Where(g => !g.Passed).Select(g => OnBranch(g, state, branch)))
                + "; nothing was executed");

    /// <summary>
    /// Why one gate blocks on the branch. The local gates passed on this run's checkout, so a brake or lock found here
    /// was set on the branch after it: the operator is told it is newer than the checkout, not that the run raced.
    /// </summary>
    private static string OnBranch(GateResult gate, BranchState state, string branch) => gate.Name switch
    {
        GateNames.SafetyBrake =>
            $"engaged on {branch} since {Times.Format(state.Brake.EngagedAt)} by {state.Brake.EngagedBy ?? "unknown"}: {state.Brake.Reason ?? "no reason given"}; this run's checkout predates it",
        GateNames.TrustGuard =>
            $"locked on {branch} since {Times.Format(state.Trust.LockedAt)} by {state.Trust.LockedBy ?? "unknown"}: {state.Trust.Reason ?? "no reason given"}"
            + (state.Trust.LockId is null ? string.Empty : $" (lock id {state.Trust.LockId})")
            + "; this run's checkout predates it",
        _ => $"{gate.Detail} (another run got there first)",
    };
}
