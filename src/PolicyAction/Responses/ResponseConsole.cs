using PolicyAction.Gates;
using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Responses;

/// <summary>
/// Prints a response in the order things happen: for an apply, the heading and the gates before the first action
/// runs (its output streams beneath them), then the results; otherwise all of it once decided.
/// </summary>
internal sealed class ResponseConsole(Reporter reporter, WorkspacePaths paths)
{
    private bool _announced;

    /// <summary>Given to <see cref="RespondRequest.BeforeRunning"/>.</summary>
    public void Announce(ResponseReport report, GateEvaluation gates, int actions)
    {
        reporter.Text(ResponseText.Header(report, gates) + $"Running {actions} action(s):\n");
        _announced = true;
    }

    public void Finish(RespondResult result) =>
        reporter.Text(_announced ? "\n" + ResponseText.Results(result, paths) : ResponseText.Render(result, paths));
}
