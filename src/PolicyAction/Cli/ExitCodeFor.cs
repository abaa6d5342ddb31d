using PolicyAction.ActionHost;
using PolicyAction.Alerts;
using PolicyAction.Gates;
using PolicyAction.Responses;
using PolicyAction.State;

namespace PolicyAction.Cli;

/// <summary>The one place outcomes become process exit codes (<see cref="ExitCodes"/>, documented in README.md).</summary>
internal static class ExitCodeFor
{
    public static int Response(ResponseOutcome outcome) => outcome switch
    {
        ResponseOutcome.Blocked => ExitCodes.Blocked,
        ResponseOutcome.ActionFailed => ExitCodes.ActionFailed,
        _ => ExitCodes.Success,
    };

    public static int Gates(GateEvaluation evaluation) => evaluation.Passed ? ExitCodes.Success : ExitCodes.Blocked;

    public static int Alerts(AlertCheck check) => check.Failing ? ExitCodes.ActionFailed : ExitCodes.Success;

    public static int Verification(LogVerification verification) => verification.Intact ? ExitCodes.Success : ExitCodes.UsageOrStateError;

    /// <summary>
    /// The action's step: a block passes unless fail-on-blocked; the response's failure comes first, then a firing
    /// alert, then a commit that did not land (the response already ran, so the missing commit must be seen).
    /// </summary>
    public static int Action(ActionRunResult result)
    {
        if (result.GatesBlocked is { } blocked)
        {
            return blocked && result.FailOnBlocked ? ExitCodes.Blocked : ExitCodes.Success;
        }

        var exit = result.Response switch
        {
            ResponseOutcome.Blocked => result.FailOnBlocked ? ExitCodes.Blocked : ExitCodes.Success,
            { } outcome => Response(outcome),
            null => ExitCodes.Success,
        };
        if (exit == ExitCodes.Success && result.AlertsFailing)
        {
            exit = ExitCodes.ActionFailed;
        }

        return exit == ExitCodes.Success && result.CommitFailure is { } failure ? failure.ExitCode : exit;
    }
}
