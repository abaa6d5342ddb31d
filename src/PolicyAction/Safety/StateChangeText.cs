using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Safety;

/// <summary>How the brake and the trust guard report a state change: its message, printed once.</summary>
internal static class StateChangeText
{
    /// <summary>Prints the message, as every state command does, and passes the change on.</summary>
    public static StateChange PrintedBy(this StateChange change, Reporter reporter)
    {
        reporter.Line(change.Message);
        return change;
    }
}
