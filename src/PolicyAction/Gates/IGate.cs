namespace PolicyAction.Gates;

/// <summary>
/// One safety gate: it looks at the state (<see cref="GateInputs"/>) and the request (<see cref="GateRequest"/>) and
/// says whether a response may run, what it saw, the limit it holds and why. The gates are one list
/// (<see cref="GateEvaluator.Standard"/>); adding a gate is a class here and a line in that list.
/// </summary>
internal interface IGate
{
    /// <summary>The name in <c>blocked_by</c>, the gates table and the runbook.</summary>
    string Name { get; }

    /// <summary>How far back in the audit log the gate looks for this request.</summary>
    TimeSpan LookBack(GateRequest request) => TimeSpan.Zero;

    /// <summary>
    /// The verdict enters the plan digest: a reviewer approves a plan under the state they saw. Gates that differ between
    /// the preview and the approved apply by design (the trigger) or that block both anyway stay out.
    /// </summary>
    bool CoveredByPlanDigest => false;

    /// <summary>
    /// The gate counts what other runs did, or reads state an operator changes on the branch from GitHub (the brake,
    /// the trust lock), so the branch reservation evaluates it again over the shared branch (<see cref="State.BranchState"/>)
    /// before an apply. The manual-unlock count and the gates over this run's own request are not re-read there.
    /// </summary>
    bool RecheckedOnSharedLog => false;

    /// <summary>The verdict, or null when the gate has nothing to say about this request (e.g. no digest was given).</summary>
    GateResult? Evaluate(GateCheck check);

    /// <summary>What the operator reads when this gate is the first that blocks.</summary>
    string BlockMessage(GateResult result, IReadOnlyList<string> blockedBy) =>
        $"blocked by {string.Join(", ", blockedBy)}: nothing was executed";
}
