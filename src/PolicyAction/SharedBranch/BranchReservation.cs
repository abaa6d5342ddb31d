using System.Text.Json.Serialization.Metadata;
using PolicyAction.Forge;
using PolicyAction.Gates;
using PolicyAction.State;

namespace PolicyAction.SharedBranch;

/// <summary>Why the records on the branch refuse the reservation: the gates that block and what the operator reads.</summary>
internal sealed record LogRefusal(IReadOnlyList<string> BlockedBy, string Message);

/// <summary>The reservation's answer: the commit that holds it, or the refusal.</summary>
internal sealed record ReservationOutcome(string? CommitSha, LogRefusal? Refusal)
{
    public bool Granted => CommitSha is not null;
}

/// <summary>
/// Claims an applied response's slot on the shared branch before any action runs: reads the branch's audit log, then
/// the safety brake and the trust lock at the branch's tip, lets the caller evaluate its gates again over them, and
/// commits the <c>response_started</c> record as a compare-and-swap on the log. When another run changed the log
/// first, it reads all of it again and the gates decide again. The branch's log is the one shared counter all runs
/// see, so concurrent runs cannot exceed the limit together; and the branch is where operators engage the brake from
/// GitHub, so a brake engaged after this run's checkout still stops it here.
/// </summary>
internal sealed class BranchReservation(IForge forge, string branch, BranchKnowledge? knowledge = null, int fromSegment = 1)
{
    private readonly BranchLogAppender _log = new(forge, branch, knowledge);

    /// <param name="recheck">The gates over the branch's records (from segment <c>fromSegment</c> on), brake and trust lock: null to go ahead, else the refusal.</param>
    public async Task<ReservationOutcome> ReserveAsync(AuditRecord started, Func<BranchState, LogRefusal?> recheck, CancellationToken cancellationToken)
    {
        LogRefusal? refusal = null;
        var outcome = await _log.AppendToAuditLogAsync(
            fromSegment,
            async view =>
            {
                var where = $"{view.Path} on {branch}";
                var chain = new ChainSpan(where);
                var records = view.Contents.SelectMany(content => AuditLog.Parse(new MemoryStream(content), where, chain).Records).ToList();

                // Read after the log, on every attempt: the control commands record a brake or lock in the log too, so
                // one that lands after these reads changes the log and the compare-and-swap below fails and reads again.
                var brake = await ReadControlFileAsync(WorkspacePaths.SafetyBrakePath, StateJsonContext.Default.SafetyBrakeState, SafetyBrakeState.Default, cancellationToken).ConfigureAwait(false);
                var trust = await ReadControlFileAsync(WorkspacePaths.TrustLockPath, StateJsonContext.Default.TrustLockState, TrustLockState.Default, cancellationToken).ConfigureAwait(false);
                refusal = Unreadable(brake, trust)
                    ?? recheck(new BranchState(new LogTail(records, fromSegment), brake.State!, trust.State!));
                return refusal is null
                    ? AppendDecision.Append(AuditChain.LineAfter(view.LinkTo, started, where))
                    : AppendDecision.Refuse(refusal.Message, final: refusal.BlockedBy.All(ReadAtTip.Contains));
            },
            $"policy-response: reserve {started.Policy} response {started.ResponseId:D}\n\nRecorded before any action runs, so concurrent runs share one rate limit.",
            "the response was not reserved and nothing was executed",
            cancellationToken).ConfigureAwait(false);

        return outcome.Appended ? new ReservationOutcome(outcome.CommitSha, null) : new ReservationOutcome(null, refusal);
    }

    /// <summary>The gates decided on the files read at the tip on this attempt: a refusal by them alone needs no second look at the log.</summary>
    private static readonly string[] ReadAtTip = [GateNames.SafetyBrake, GateNames.TrustGuard];

    /// <summary>A brake or trust lock file at the branch's tip, parsed as the gates parse the checkout's: absent is the default, unreadable is the problem.</summary>
    private async Task<ControlFile<T>> ReadControlFileAsync<T>(string path, JsonTypeInfo<T> typeInfo, T whenMissing, CancellationToken cancellationToken)
        where T : class
    {
        var file = await forge.GetFileOnBranchAsync(branch, path, cancellationToken).ConfigureAwait(false);
        if (file.BlobSha is null)
        {
            return new ControlFile<T>(whenMissing, null);
        }

        try
        {
            return new ControlFile<T>(JsonStateFile.Parse(file.Content, $"{path} on {branch}", typeInfo), null);
        }
        catch (StateFileException e)
        {
            return new ControlFile<T>(null, e.Message);
        }
    }

    /// <summary>Fails closed: a brake or lock that cannot be read at the tip may be engaged, so its gate blocks.</summary>
    private LogRefusal? Unreadable(ControlFile<SafetyBrakeState> brake, ControlFile<TrustLockState> trust)
    {
        (string Gate, string? Problem)[] problems = [(GateNames.SafetyBrake, brake.Problem), (GateNames.TrustGuard, trust.Problem)];
        var unreadable = problems.Where(p => p.Problem is not null).ToArray();
        return unreadable.Length == 0
            ? null
            : new LogRefusal(
                unreadable.Select(p => p.Gate).ToArray(),
                $"blocked by {string.Join(", ", unreadable.Select(p => p.Gate))} on {branch}: "
                + string.Join("; ", unreadable.Select(p => p.Problem))
                + $"; it may be engaged, so nothing was executed. Fix or restore the file on {branch}, then run again");
    }

    private sealed record ControlFile<T>(T? State, string? Problem)
        where T : class;
}
