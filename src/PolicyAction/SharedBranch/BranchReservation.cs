using PolicyAction.Forge;
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
/// Claims an applied response's slot on the shared branch before any action runs: reads the branch's audit log, lets
/// the caller evaluate its gates again over the branch's records, and commits the <c>response_started</c> record as a
/// compare-and-swap on the log. When another run changed the log first, it reads again and the gates decide again.
/// The branch's log is the one shared counter all runs see, so concurrent runs cannot exceed the limit together.
/// </summary>
internal sealed class BranchReservation(IForge forge, string branch, BranchKnowledge? knowledge = null, int fromSegment = 1)
{
    private readonly BranchLogAppender _log = new(forge, branch, knowledge);

    /// <param name="recheck">The gates over the branch's records (from segment <c>fromSegment</c> on): null to go ahead, else the refusal.</param>
    public async Task<ReservationOutcome> ReserveAsync(AuditRecord started, Func<LogTail, LogRefusal?> recheck, CancellationToken cancellationToken)
    {
        LogRefusal? refusal = null;
        var outcome = await _log.AppendToAuditLogAsync(
            fromSegment,
            view =>
            {
                var where = $"{view.Path} on {branch}";
                var chain = new ChainSpan(where);
                var records = view.Contents.SelectMany(content => AuditLog.Parse(new MemoryStream(content), where, chain).Records).ToList();
                refusal = recheck(new LogTail(records, fromSegment));
                return refusal is null
                    ? AppendDecision.Append(AuditChain.LineAfter(view.LinkTo, started, where))
                    : AppendDecision.Refuse(refusal.Message);
            },
            $"policy-response: reserve {started.Policy} response {started.ResponseId:D}\n\nRecorded before any action runs, so concurrent runs share one rate limit.",
            "the response was not reserved and nothing was executed",
            cancellationToken).ConfigureAwait(false);

        return outcome.Appended ? new ReservationOutcome(outcome.CommitSha, null) : new ReservationOutcome(null, refusal);
    }
}
