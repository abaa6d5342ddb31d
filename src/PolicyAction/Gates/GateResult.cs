namespace PolicyAction.Gates;

/// <summary>One safety gate's verdict: what it saw, the limit it holds, and why.</summary>
internal sealed record GateResult(string Name, bool Passed, string Observed, string Limit, string Detail);

/// <summary>Every gate's verdict at one moment; a response may run only if all passed.</summary>
internal sealed record GateEvaluation(DateTimeOffset EvaluatedAt, bool Passed, IReadOnlyList<GateResult> Gates)
{
    public IReadOnlyList<string> BlockedBy => Gates.Where(g => !g.Passed).Select(g => g.Name).ToArray();
}

internal static class GateNames
{
    public const string TrustGuard = "trust_guard";
    public const string SafetyBrake = "safety_brake";
    public const string RateLimit = "rate_limit";
    public const string ManualUnlocks = "manual_unlocks";
}
