using System.Text.Json;
using PolicyAction.GitHub;
using PolicyAction.State;

namespace PolicyAction.Alerts;

/// <summary>The outcome of a claim: won (this run opens the issue) or held by another run.</summary>
internal sealed record ClaimOutcome(bool Won, AlertHistoryRecord? Record, string? HeldBy);

/// <summary>
/// Makes two alert checks running at once open one issue, not two. Before opening an issue, a run commits an
/// <c>issue_claimed</c> line for the alert's fingerprint to the alert history on the shared branch with a
/// fast-forward-only ref update. The run whose commit lands opens the issue; a run that finds a fresh claim by
/// another run opens nothing. A claim older than <see cref="HoldFor"/> is ignored, so a run that died between
/// claiming and opening does not block the alert for good.
/// </summary>
internal sealed class IssueClaim
{
    public const string Event = "issue_claimed";
    public static readonly TimeSpan HoldFor = TimeSpan.FromMinutes(15);

    private readonly BranchLogAppender _log;
    private readonly TimeProvider _clock;
    private readonly string _claimant;

    public IssueClaim(IRepositoryApi api, string branch, TimeProvider clock, string claimant)
    {
        _log = new BranchLogAppender(api, branch);
        _clock = clock;
        _claimant = claimant;
    }

    public async Task<ClaimOutcome> ClaimAsync(AlertStatus alert, CancellationToken cancellationToken)
    {
        AlertHistoryRecord? record = null;
        var outcome = await _log.AppendAsync(
            ArtifactCommitter.AlertHistoryPath,
            remote =>
            {
                var now = _clock.GetUtcNow();
                if (HeldElsewhere(remote, alert.Fingerprint, now) is { } holder)
                {
                    return AppendDecision.Refuse(holder);
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
        return outcome.Appended ? new ClaimOutcome(true, record, null) : new ClaimOutcome(false, null, outcome.Refusal);
    }

    public static byte[] Line(AlertHistoryRecord record) =>
        [.. JsonSerializer.SerializeToUtf8Bytes(record, CompactJsonContext.Default.AlertHistoryRecord), (byte)'\n'];

    /// <summary>The claimant of a fresh claim on this fingerprint by another run, or null.</summary>
    private string? HeldElsewhere(byte[] history, string fingerprint, DateTimeOffset now)
    {
        foreach (var text in System.Text.Encoding.UTF8.GetString(history).Split('\n'))
        {
            if (!text.Contains(Event, StringComparison.Ordinal))
            {
                continue;
            }

            AlertHistoryRecord? record;
            try
            {
                record = JsonSerializer.Deserialize(text, CompactJsonContext.Default.AlertHistoryRecord);
            }
            catch (JsonException)
            {
                // A torn or foreign line is not a claim; the history is not ours to judge here.
                continue;
            }

            if (record is { Event: Event } && record.Fingerprint == fingerprint && record.Claimant != _claimant && now - record.Timestamp < HoldFor)
            {
                return record.Claimant ?? "another run";
            }
        }

        return null;
    }
}
