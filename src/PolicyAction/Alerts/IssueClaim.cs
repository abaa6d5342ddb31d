using System.Text.Json;
using PolicyAction.Forge;
using PolicyAction.GitHub;
using PolicyAction.SharedBranch;
using PolicyAction.State;

namespace PolicyAction.Alerts;

/// <summary>
/// The outcome of a claim: won (this run opens the issue) or held by another run. <paramref name="IssueMayExist"/>:
/// not claimed because another run opened (or adopted) an issue for this alert after this run listed the issues;
/// look again, and if it is not open claim again passing <paramref name="SettledAt"/> as the settlement already looked past.
/// </summary>
internal sealed record ClaimOutcome(bool Won, AlertHistoryRecord? Record, string? HeldBy, bool IssueMayExist = false, DateTimeOffset? SettledAt = null);

/// <summary>
/// Makes two alert checks running at once open one issue, not two. Before opening an issue, a run commits an
/// <c>issue_claimed</c> line for the alert's fingerprint to the alert history on the shared branch with a
/// fast-forward-only ref update. The run whose commit lands opens the issue; a run that finds a claim by another
/// run that still holds opens nothing (see <see cref="HeldElsewhere"/> for when a claim stops holding).
/// </summary>
internal sealed partial class IssueClaim
{
    public const string Event = "issue_claimed";

    /// <summary>The history event that settles a claim: its run opened the issue.</summary>
    public const string OpenedEvent = "opened";
    /// <summary>The history event of a run that won a claim but found the issue already open, which settles its claim too.</summary>
    public const string AdoptedEvent = "adopted";

    public static readonly TimeSpan HoldFor = TimeSpan.FromMinutes(15);

    /// <summary>How far another runner's clock may be behind ours when comparing its <c>opened</c> line with our listing.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private readonly BranchLogAppender _log;
    private readonly TimeProvider _clock;
    private readonly string _claimant;

    public IssueClaim(IForge api, string branch, TimeProvider clock, string claimant, BranchKnowledge? knowledge = null)
    {
        _log = new BranchLogAppender(api, branch, knowledge);
        _clock = clock;
        _claimant = claimant;
    }

    /// <param name="listedAt">When this run listed the issues it found nothing in.</param>
    /// <param name="lookedPast">A settlement this run has already looked for an issue after (see <see cref="ClaimOutcome"/>).</param>
    public async Task<ClaimOutcome> ClaimAsync(AlertStatus alert, DateTimeOffset listedAt, DateTimeOffset? lookedPast, CancellationToken cancellationToken)
    {
        AlertHistoryRecord? record = null;
        var issueMayExist = false;
        DateTimeOffset? lastSettled = null;
        var outcome = await _log.AppendAsync(
            WorkspacePaths.AlertHistoryPath,
            remote =>
            {
                var now = _clock.GetUtcNow();
                var (holder, settledAt) = HeldElsewhere(remote, alert.Fingerprint, now);
                if (holder is not null)
                {
                    return AppendDecision.Refuse(holder);
                }

                // Another run settled a claim after this run listed the issues: its issue may be there now. Look before
                // claiming, so a run that merely started a moment late writes nothing.
                lastSettled = settledAt;
                if (settledAt >= listedAt - ClockSkew && !(settledAt <= lookedPast))
                {
                    issueMayExist = true;
                    return AppendDecision.Refuse("another check settled its claim after this one listed the issues");
                }


                record = new AlertHistoryRecord
                {
                    Timestamp = now,
                    Alert = alert.Id,
                    Event = Event,
                    Severity = alert.Severity,
                    Detail = "claimed the right to open this alert's issue",
                    Fingerprint = alert.Fingerprint,
                    Claimant = _claimant,
                };
                return AppendDecision.Append(Line(record));
            },
            $"policy-response: claim the issue for alert {alert.Id}\n\nRecorded before the issue is opened, so two checks at once open one issue.",
            $"the issue for alert {alert.Id} was not claimed and no issue was opened",
            cancellationToken).ConfigureAwait(false);
        return outcome.Appended ? new ClaimOutcome(true, record, null) : new ClaimOutcome(false, null, outcome.Refusal, issueMayExist, lastSettled);
    }

    public static byte[] Line(AlertHistoryRecord record) =>
        [.. ReadableJson.Utf8(record, AlertHistoryJsonContext.Default.AlertHistoryRecord), (byte)'\n'];

    /// <summary>
    /// The claimant of a claim on this fingerprint that still holds, or null; and when the last claim was settled.
    /// A claim stops holding when it is older than <see cref="HoldFor"/> or dated more than <see cref="ClockSkew"/>
    /// ahead of now, when an <c>opened</c> or <c>adopted</c>
    /// line for the fingerprint follows it (its run finished the job; if that issue is gone now, a new one may be
    /// opened at once), or when it was made by an earlier attempt of this same workflow run: GitHub starts a re-run
    /// only after the previous attempt has ended, so a re-run after a failure between claim and issue does not wait.
    /// </summary>
    private (string? Holder, DateTimeOffset? SettledAt) HeldElsewhere(byte[] history, string fingerprint, DateTimeOffset now)
    {
        AlertHistoryRecord? holding = null;
        DateTimeOffset? settledAt = null;
        foreach (var text in System.Text.Encoding.UTF8.GetString(history).Split('\n'))
        {
            if (!text.Contains(fingerprint, StringComparison.Ordinal))
            {
                continue;
            }

            AlertHistoryRecord? record;
            try
            {
                record = JsonSerializer.Deserialize(text, AlertHistoryJsonContext.Default.AlertHistoryRecord);
            }
            catch (JsonException)
            {
                // A torn or foreign line is not a claim; the history is not ours to judge here.
                continue;
            }

            if (record?.Fingerprint != fingerprint)
            {
                continue;
            }

            if (record.Event == Event)
            {
                holding = record;
            }
            else if (record.Event is OpenedEvent or AdoptedEvent)
            {
                holding = null;
                settledAt = record.Timestamp;
            }
        }

        // Held only while 0 <= now - t < HoldFor, allowing another runner's clock to be ClockSkew ahead: a line dated
        // later than that (a wrong clock, or one written to suppress the alert) holds nothing off.
        var age = holding is null ? TimeSpan.Zero : now - holding.Timestamp;
        var holds = holding is not null && holding.Claimant != _claimant && age >= -ClockSkew && age < HoldFor && !IsEarlierAttemptOfThisRun(holding.Claimant);
        return (holds ? holding!.Claimant ?? "another run" : null, settledAt);
    }

    private bool IsEarlierAttemptOfThisRun(string? claimant) =>
        RunAttemptOf(claimant) is { } theirs && RunAttemptOf(_claimant) is { } ours && theirs.RunId == ours.RunId && theirs.Attempt < ours.Attempt;

    /// <summary>The workflow run and attempt in a claimant written as <c>run ID/ATTEMPT …</c>, or null.</summary>
    internal static (long RunId, int Attempt)? RunAttemptOf(string? claimant)
    {
        var match = claimant is null ? null : ClaimantPattern().Match(claimant);
        return match is { Success: true }
            && long.TryParse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture, out var run)
            && int.TryParse(match.Groups[2].ValueSpan, System.Globalization.CultureInfo.InvariantCulture, out var attempt)
            ? (run, attempt)
            : null;
    }

    /// <summary>How the action (<see cref="ActionHost.AlertStage"/>) names a claimant: the run, its attempt, then a unique id.</summary>
    public static string ClaimantFor(string? runId, string? runAttempt) =>
        $"{(runId is { Length: > 0 } id ? $"run {id}/{(runAttempt is { Length: > 0 } attempt ? attempt : "1")} " : string.Empty)}{Guid.NewGuid():N}";

    [System.Text.RegularExpressions.GeneratedRegex(@"^run (\d+)/(\d+) ")]
    private static partial System.Text.RegularExpressions.Regex ClaimantPattern();
}
