using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Status;

/// <summary>The one screen of <c>status</c>.</summary>
internal static class StatusText
{
    public static string Render(StatusReport status, StateStore store)
    {
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "policy level", status.PolicyLevel is null ? "unknown (no state/policy_state.json)" : $"{status.PolicyLevel}{(status.PolicyUpdatedAt is { } at ? $" (updated {Times.Format(at)})" : string.Empty)}" },
            new[] { "trust guard", status.TrustLocked ? $"LOCKED (lock id {status.TrustLockId})" : "unlocked" },
            new[] { "safety brake", status.BrakeEngaged ? "ENGAGED" : "off" },
            new[] { "responses, last 24 h", status.ResponsesLast24h.ToString() },
            new[] { "manual unlocks, last 24 h", status.ManualUnlocksLast24h.ToString() },
            new[] { "last response", status.LastResponseId is null ? "none in the last 31 days" : $"{status.LastResponseId:D} at {Times.Format(status.LastResponseAt)}: {status.LastResponseStatus}" },
            new[] { "workspace", store.Paths.Root },
        };
        return TextTable.Render(null, rows);
    }
}
