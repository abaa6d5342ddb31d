using PolicyAction.Responses;

namespace PolicyAction.ActionHost;

/// <summary>What an action run came to, stage by stage; the CLI maps it to the step's exit code (<c>Cli/ExitCodeFor</c>).</summary>
/// <param name="GatesBlocked">With <c>command: gates</c>: whether a gate blocks (null when the response stage ran or none did).</param>
/// <param name="Response">How the response ended (null when the command ran no response stage).</param>
/// <param name="AlertsFailing">An alert at or above alerts.fail_on fires.</param>
/// <param name="CommitFailure">Why a stage after the response failed: the artifacts could not be committed, or the alerts not checked.</param>
/// <param name="FailOnBlocked">The fail-on-blocked input: a block fails the step (exit 3) instead of passing it.</param>
internal sealed record ActionRunResult(
    bool? GatesBlocked,
    ResponseOutcome? Response,
    bool AlertsFailing,
    PolicyActionException? CommitFailure,
    bool FailOnBlocked);
