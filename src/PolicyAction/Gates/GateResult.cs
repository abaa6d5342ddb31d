namespace PolicyAction.Gates;

/// <summary>One safety gate's verdict: what it saw, the limit it holds, and why.</summary>
internal sealed record GateResult(string Name, bool Passed, string Observed, string Limit, string Detail);

/// <summary>Every gate's verdict at one moment; a response may run only if all passed.</summary>
internal sealed record GateEvaluation(DateTimeOffset EvaluatedAt, bool Passed, IReadOnlyList<GateResult> Gates)
{
    public IReadOnlyList<string> BlockedBy => Gates.Where(g => !g.Passed).Select(g => g.Name).ToArray();

    /// <summary>The current plan's digest, when the request named a plan.</summary>
    public string? PlanDigest { get; init; }

    /// <summary>What the first gate that blocks says (null when all passed).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Message { get; init; }

    public GateResult? Gate(string name) => Gates.FirstOrDefault(g => g.Name == name);
}

/// <summary>The gate names, as <c>blocked_by</c> and the runbook spell them.</summary>
internal static class GateNames
{
    public const string TrustGuard = "trust_guard";
    public const string SafetyBrake = "safety_brake";
    public const string RateLimit = "rate_limit";
    public const string ManualUnlocks = "manual_unlocks";
    public const string Trigger = "trigger";
    public const string PlanDigest = "plan_digest";
    public const string InterruptedResponse = "interrupted_response";
}
