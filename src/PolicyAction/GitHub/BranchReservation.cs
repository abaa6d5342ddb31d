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
    public const int MaxAttempts = 8;

    private readonly IRepositoryApi _api;
    private readonly string _branch;
    private readonly int _maxResponses;
    private readonly TimeProvider _clock;

    public BranchReservation(IRepositoryApi api, string branch, int maxResponses, TimeProvider clock)
    {
        _api = api;
        _branch = branch;
        _maxResponses = maxResponses;
        _clock = clock;
    }

    /// <summary>The commit that holds the reservation, once granted.</summary>
    public string? CommitSha { get; private set; }

    public async Task<Reservation> ReserveAsync(AuditRecord started, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var head = await _api.GetBranchHeadAsync(_branch, cancellationToken).ConfigureAwait(false)
                ?? throw new GitHubApiException($"branch {_branch} does not exist in {_api.Repository}; set the commit-branch input to an existing branch");
            var remote = await _api.GetFileAsync(head, ArtifactCommitter.AuditLogPath, cancellationToken).ConfigureAwait(false) ?? [];
            var records = AuditLog.Parse(new MemoryStream(remote), $"{ArtifactCommitter.AuditLogPath} on {_branch}").Records;

            var applied = GateEvaluator.AppliedResponsesInWindow(records, _clock.GetUtcNow());
            if (applied >= _maxResponses)
            {
                return new Reservation(false, [GateNames.RateLimit], $"blocked by rate_limit: {applied} applied response(s) in the last 24 h on {_branch} reached the limit of {_maxResponses} (another run took the last slot); nothing was executed");
            }

            if (started.Trigger is { } trigger && records.Any(r => r.Event == AuditEvents.ResponseStarted && r.Trigger == trigger))
            {
                return new Reservation(false, ["trigger"], $"{trigger} has already applied a response on {_branch}; nothing was executed");
            }

            var line = AuditLog.Line(started);
            var content = new byte[remote.Length + (remote.Length > 0 && remote[^1] != '\n' ? 1 : 0) + line.Length];
            remote.CopyTo(content, 0);
            if (content.Length > remote.Length + line.Length)
            {
                content[remote.Length] = (byte)'\n';
            }

            line.CopyTo(content, content.Length - line.Length);
            var commit = await _api.CreateCommitAsync(
                head,
                [new FileChange(ArtifactCommitter.AuditLogPath, content)],
                $"policy-response: reserve {started.Policy} response {started.ResponseId:D}\n\nRecorded before any action runs, so concurrent runs share one rate limit.",
                cancellationToken).ConfigureAwait(false);
            if (await _api.TryFastForwardAsync(_branch, commit, cancellationToken).ConfigureAwait(false))
            {
                CommitSha = commit;
                return new Reservation(true, [], $"reserved on {_branch} as {commit}");
            }
        }

        throw new GitHubApiException($"branch {_branch} kept moving: {MaxAttempts} attempts to reserve the response lost the race; nothing was executed");
    }
}
