using PolicyAction.Gates;
using PolicyAction.Responses;
using PolicyAction.State;

namespace PolicyAction.GitHub;

/// <summary>
/// Claims an applied response's slot on the shared branch before any action runs: reads the branch's audit
/// log, re-checks the rate limit and the trigger against it, and commits the <c>response_started</c> record
/// with a fast-forward-only ref update. When another run moved the branch first, it reads again and re-checks.
/// The branch's log is the one shared counter all runs see, so concurrent runs cannot exceed the limit together.
/// </summary>
internal sealed class BranchReservation
{
    private readonly BranchLogAppender _log;
    private readonly int _maxResponses;
    private readonly TimeProvider _clock;

    public BranchReservation(IRepositoryApi api, string branch, int maxResponses, TimeProvider clock, BranchKnowledge? knowledge = null)
    {
        _log = new BranchLogAppender(api, branch, knowledge);
        _maxResponses = maxResponses;
        _clock = clock;
    }

    /// <summary>The commit that holds the reservation, once granted.</summary>
    public string? CommitSha { get; private set; }

    public async Task<Reservation> ReserveAsync(AuditRecord started, CancellationToken cancellationToken)
    {
        var branch = _log.Branch;
        string[] blockedBy = [];
        var outcome = await _log.AppendAsync(
            ArtifactCommitter.AuditLogPath,
            remote =>
            {
                var records = AuditLog.Parse(new MemoryStream(remote), $"{ArtifactCommitter.AuditLogPath} on {branch}").Records;
                var applied = GateEvaluator.AppliedResponsesInWindow(records, _clock.GetUtcNow());
                if (applied >= _maxResponses)
                {
                    blockedBy = [GateNames.RateLimit];
                    return AppendDecision.Refuse($"blocked by rate_limit: {applied} applied response(s) in the last 24 h on {branch} reached the limit of {_maxResponses} (another run took the last slot); nothing was executed");
                }

                if (started.Trigger is { } trigger && records.Any(r => r.Event == AuditEvents.ResponseStarted && r.Trigger == trigger))
                {
                    blockedBy = [TriggerGate.Name];
                    return AppendDecision.Refuse($"{trigger} has already applied a response on {branch}; nothing was executed");
                }

                return AppendDecision.Append(AuditChain.LineAfter(remote, started, $"{ArtifactCommitter.AuditLogPath} on {branch}"));
            },
            $"policy-response: reserve {started.Policy} response {started.ResponseId:D}\n\nRecorded before any action runs, so concurrent runs share one rate limit.",
            "the response was not reserved and nothing was executed",
            cancellationToken).ConfigureAwait(false);

        if (!outcome.Appended)
        {
            return new Reservation(false, blockedBy, outcome.Refusal!);
        }

        CommitSha = outcome.CommitSha;
        return new Reservation(true, [], $"reserved on {branch} as {outcome.CommitSha}");
    }
}
