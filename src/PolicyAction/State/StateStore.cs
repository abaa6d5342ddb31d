namespace PolicyAction.State;

/// <summary>Typed access to the state files of one workspace; the features' own files are reached through their extensions (e.g. <c>ResponseFiles</c>).</summary>
internal sealed class StateStore
{
    public StateStore(WorkspacePaths paths)
    {
        Paths = paths;
        AuditLog = new AuditLog(paths.AuditLog, root: paths.Root);
    }

    public WorkspacePaths Paths { get; }

    public AuditLog AuditLog { get; }

    public PolicyStateFile? ReadPolicyState() => JsonStateFile.TryRead(Paths.Root, Paths.PolicyState, StateJsonContext.Default.PolicyStateFile);

    public void WritePolicyState(PolicyStateFile state) => JsonStateFile.Write(Paths.Root, Paths.PolicyState, state, StateJsonContext.Default.PolicyStateFile);

    public TrustLockState ReadTrust() => JsonStateFile.Read(Paths.Root, Paths.TrustLockState, StateJsonContext.Default.TrustLockState, TrustLockState.Default);

    public void WriteTrust(TrustLockState state) => JsonStateFile.Write(Paths.Root, Paths.TrustLockState, state, StateJsonContext.Default.TrustLockState);

    public SafetyBrakeState ReadBrake() => JsonStateFile.Read(Paths.Root, Paths.SafetyBrakeState, StateJsonContext.Default.SafetyBrakeState, SafetyBrakeState.Default);

    public void WriteBrake(SafetyBrakeState state) => JsonStateFile.Write(Paths.Root, Paths.SafetyBrakeState, state, StateJsonContext.Default.SafetyBrakeState);
}
