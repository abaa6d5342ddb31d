namespace PolicyAction.Gates;

/// <summary>
/// Evaluates the gates of one list in order. Those the plan digest covers come first in the list and are evaluated
/// first, so the digest (and the gate that holds the plan to it) can follow from their verdicts.
/// </summary>
internal sealed class GateEvaluator(IReadOnlyList<IGate> gates)
{
    /// <summary>The rolling window of the counting gates (rate limit, manual unlocks).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>Every gate, in the order the gates table shows them and the first blocking one is reported.</summary>
    public static IReadOnlyList<IGate> Standard { get; } =
    [
        new TrustGuardGate(),
        new SafetyBrakeGate(),
        new RateLimitGate(),
        new ManualUnlocksGate(),
        new TriggerGate(),
        new PlanDigestGate(),
        new InterruptedResponseGate(),
    ];

    public GateEvaluator()
        : this(Standard)
    {
    }

    public IReadOnlyList<IGate> Gates => gates;

    /// <summary>How far back the audit log must be read for this request's gates.</summary>
    public TimeSpan LookBack(GateRequest request) => gates.Select(g => g.LookBack(request)).DefaultIfEmpty(TimeSpan.Zero).Max();

    public GateEvaluation Evaluate(GateInputs inputs, GateRequest request)
    {
        var results = new GateResult?[gates.Count];
        for (var i = 0; i < gates.Count; i++)
        {
            if (gates[i].CoveredByPlanDigest)
            {
                results[i] = gates[i].Evaluate(new GateCheck(inputs, request, null));
            }
        }

        var covered = results.OfType<GateResult>().ToArray();
        var digest = request.PlanDigestOf?.Invoke(inputs, covered);
        for (var i = 0; i < gates.Count; i++)
        {
            if (!gates[i].CoveredByPlanDigest)
            {
                results[i] = gates[i].Evaluate(new GateCheck(inputs, request, digest));
            }
        }

        var verdicts = results.OfType<GateResult>().ToArray();
        var blockedBy = verdicts.Where(r => !r.Passed).Select(r => r.Name).ToArray();
        var first = Array.FindIndex(results, r => r is { Passed: false });
        return new GateEvaluation(inputs.Now, blockedBy.Length == 0, verdicts)
        {
            PlanDigest = digest,
            Message = first < 0 ? null : gates[first].BlockMessage(results[first]!, blockedBy),
        };
    }

    /// <summary>The gates the branch reservation evaluates again over the shared branch's log.</summary>
    public GateEvaluator SharedLogGates() => new(gates.Where(g => g.RecheckedOnSharedLog).ToArray());
}
