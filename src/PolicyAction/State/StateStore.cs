using PolicyAction.Responses;

namespace PolicyAction.State;

/// <summary>Typed access to every state file of one workspace.</summary>
internal sealed class StateStore
{
    public StateStore(WorkspacePaths paths)
    {
        Paths = paths;
        AuditLog = new AuditLog(paths.AuditLog);
    }

    public WorkspacePaths Paths { get; }

    public AuditLog AuditLog { get; }

    public PolicyStateFile? ReadPolicyState() => JsonStateFile.TryRead(Paths.PolicyState, StateJsonContext.Default.PolicyStateFile);

    public TrustLockState ReadTrust() => JsonStateFile.Read(Paths.TrustLockState, StateJsonContext.Default.TrustLockState, TrustLockState.Default);

    public void WriteTrust(TrustLockState state) => JsonStateFile.Write(Paths.TrustLockState, state, StateJsonContext.Default.TrustLockState);

    public SafetyBrakeState ReadBrake() => JsonStateFile.Read(Paths.SafetyBrakeState, StateJsonContext.Default.SafetyBrakeState, SafetyBrakeState.Default);

    public void WriteBrake(SafetyBrakeState state) => JsonStateFile.Write(Paths.SafetyBrakeState, state, StateJsonContext.Default.SafetyBrakeState);

    public void WritePreview(ResponseReport report) => JsonStateFile.Write(Paths.Preview, report, StateJsonContext.Default.ResponseReport);

    public void WriteBlockedReport(BlockedReport report) => JsonStateFile.Write(Paths.BlockedReport, report, StateJsonContext.Relaxed.BlockedReport);

    /// <summary>Undo records hold base64 copies of files (up to 16 MiB each), so they may be larger than other state.</summary>
    public const long MaxUndoRecordBytes = 256L * 1024 * 1024;

    public UndoRecord? ReadUndo(Guid responseId) => JsonStateFile.TryRead(Paths.UndoRecord(responseId), StateJsonContext.Default.UndoRecord, MaxUndoRecordBytes);

    public void WriteUndo(UndoRecord record) => JsonStateFile.Write(Paths.UndoRecord(record.ResponseId), record, StateJsonContext.Default.UndoRecord);
}
