using System.Text.Json;
using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Alerts;

/// <summary>The result of one check: the report, what changed since the last one, and the exit code.</summary>
/// <param name="Failing">An active alert is at or above alerts.fail_on: the check fails (exit 1).</param>
/// <param name="Warnings">Incomplete records (torn by an interrupted write) found in the audit log or the history: skipped, kept on disk, and to be shown.</param>
internal sealed record AlertCheck(AlertReport Report, IReadOnlyList<AlertHistoryRecord> Changes, bool Failing, IReadOnlyList<string> Warnings);

/// <summary>
/// <c>policy-response alerts</c>: evaluates the rules, writes <c>reports/policy_orchestration_alerts.json</c>
/// and appends each change of state to <c>logs/policy_orchestration_alerts.jsonl</c>.
/// </summary>
internal sealed class AlertService(StateStore store, AlertSettings settings, TimeProvider clock)
{
    private readonly StateStore _store = store;
    private readonly TimeProvider _clock = clock;
    private readonly AlertEvaluator _evaluator = new(clock, settings);

    public TimeProvider Clock => _clock;

    public AlertSettings Settings => settings;

    /// <summary>True when an active alert is at or above the fail_on severity.</summary>
    public bool ShouldFail(AlertReport report) => _evaluator.ShouldFail(report);

    /// <summary>
    /// Reads what a check reads (the last report, the audit log's window), so a file that cannot be read stops the run
    /// (exit 2) before any stage has written anything.
    /// </summary>
    public void Preflight()
    {
        ReadPrevious();
        _store.AuditLog.ReadSince(_clock.GetUtcNow() - AlertEvaluator.LookBack);
    }

    public AlertReport? ReadPrevious() => JsonStateFile.TryRead(_store.Paths.Root, _store.Paths.AlertReport, AlertJsonContext.Default.AlertReport);

    /// <param name="branchNames">Branches under the fix-branch prefix now, or null when GitHub could not be asked.</param>
    public AlertCheck Check(IReadOnlyList<string>? branchNames)
    {
        var now = _clock.GetUtcNow();
        var previous = ReadPrevious();
        var read = _store.AuditLog.ReadSince(now - AlertEvaluator.LookBack);
        var log = read.Records;
        string?[] warnings = [read.Warning, TornHistoryLine()];

        IReadOnlyList<FixBranch>? branches = null;
        if (branchNames is not null)
        {
            // GitHub does not say when a branch was created: a branch counts from when the checker first saw it.
            var seen = (previous?.FixBranchesSeen ?? []).ToDictionary(b => b.Name, StringComparer.Ordinal);
            branches = branchNames.Distinct(StringComparer.Ordinal).Select(name => seen.TryGetValue(name, out var known) ? known : new FixBranch(name, now)).ToArray();
        }

        var report = _evaluator.Evaluate(new AlertInputs(log, _store.ReadBrake(), branches));
        if (branches is null && previous is not null)
        {
            report = report with { FixBranchesSeen = previous.FixBranchesSeen };
        }

        var changes = Changes(previous, report, now);
        JsonStateFile.Write(_store.Paths.Root, _store.Paths.AlertReport, report, AlertJsonContext.Default.AlertReport);
        foreach (var change in changes)
        {
            AppendHistory(change);
        }

        return new AlertCheck(report, changes, _evaluator.ShouldFail(report), warnings.OfType<string>().ToArray());
    }

    /// <summary>Saves the report after the issue sync, and records each issue action in the history.</summary>
    public void Save(AlertReport report, IReadOnlyList<IssueAction> issueActions)
    {
        JsonStateFile.Write(_store.Paths.Root, _store.Paths.AlertReport, report, AlertJsonContext.Default.AlertReport);
        var now = _clock.GetUtcNow();
        foreach (var action in issueActions)
        {
            var alert = report.Alerts.FirstOrDefault(a => a.Id == action.Alert);
            AppendHistory(new AlertHistoryRecord
            {
                Timestamp = now,
                Alert = action.Alert,
                Event = action.Event,
                Severity = alert?.Severity ?? "unknown",
                Detail = action.Detail,
                Fingerprint = alert?.Fingerprint,
            });
        }
    }

    public void AppendHistory(AlertHistoryRecord record)
    {
        var path = _store.Paths.AlertHistory;
        var line = JsonSerializer.SerializeToUtf8Bytes(record, AlertHistoryJsonContext.Default.AlertHistoryRecord);

        // Beneath the workspace as a regular file: a history committed as a link to a file elsewhere is refused, not appended to.
        using var stream = BeneathWorkspace.OpenWrite(_store.Paths.Root, path, _store.Paths.Relative(path));

        // After a torn last line (the check has warned of it), a line of its own: the new record stays readable and the torn one is kept.
        byte[] start = EndsTorn(stream) ? [(byte)'\n'] : [];
        stream.Seek(0, SeekOrigin.End);
        stream.Write([.. start, .. line, (byte)'\n']);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>The history's last line when a write was interrupted before its newline (its readers skip it): the warning to show, else null.</summary>
    private string? TornHistoryLine()
    {
        var path = _store.Paths.AlertHistory;
        if (BeneathWorkspace.Stat(_store.Paths.Root, path, _store.Paths.Relative(path)).Kind == EntryKind.Missing)
        {
            return null;
        }

        using var stream = BeneathWorkspace.OpenRead(_store.Paths.Root, path, _store.Paths.Relative(path), 1);
        return EndsTorn(stream) ? $"{_store.Paths.Relative(path)}: line 1 from the end is an incomplete record (a write was interrupted); it is ignored and left in place" : null;
    }

    private static bool EndsTorn(FileStream stream)
    {
        if (stream.Length == 0)
        {
            return false;
        }

        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() != '\n';
    }

    private static List<AlertHistoryRecord> Changes(AlertReport? previous, AlertReport current, DateTimeOffset now)
    {
        var before = (previous?.Alerts ?? []).ToDictionary(a => a.Id, StringComparer.Ordinal);
        var changes = new List<AlertHistoryRecord>();
        foreach (var alert in current.Alerts)
        {
            before.TryGetValue(alert.Id, out var was);
            foreach (var (change, detail) in ChangesOf(was, alert, now))
            {
                changes.Add(new AlertHistoryRecord
                {
                    Timestamp = now,
                    Alert = alert.Id,
                    Event = change,
                    Severity = alert.Severity,
                    Observed = alert.Observed,
                    Threshold = alert.Threshold,
                    Detail = detail,
                });
            }
        }

        return changes;
    }

    /// <summary>
    /// How one alert changed: it fired or resolved; or, firing before and now, it was silenced or inhibited, or its
    /// silence or inhibition ended (the alert becomes active again, and may fail the check, so that is history too).
    /// </summary>
    private static IEnumerable<(string Event, string? Detail)> ChangesOf(AlertStatus? was, AlertStatus alert, DateTimeOffset now)
    {
        var wasFiring = was?.Firing ?? false;
        if (wasFiring != alert.Firing)
        {
            yield return (alert.Firing ? "fired" : "resolved", alert.Silenced ? SilencedDetail(alert) : alert.Inhibited ? $"inhibited by {alert.InhibitedBy}" : null);
            yield break;
        }

        if (!alert.Firing || was is null)
        {
            yield break;
        }

        if (alert.Silenced && !was.Silenced)
        {
            yield return ("silenced", SilencedDetail(alert));
        }
        else if (!alert.Silenced && was.Silenced)
        {
            var ended = was.SilencedUntil is { } until && until <= now
                ? $"the silence until {Times.Format(until)} expired"
                : $"the silence until {Times.Format(was.SilencedUntil)} was removed from the configuration";
            yield return ("silence_ended", $"{ended} ({was.SilenceReason}); {StillInactiveOrActive(alert)}");
        }

        if (alert.Inhibited && !was.Inhibited)
        {
            yield return ("inhibited", $"inhibited by {alert.InhibitedBy}");
        }
        else if (!alert.Inhibited && was.Inhibited)
        {
            yield return ("inhibition_ended", $"no longer inhibited by {was.InhibitedBy}; {StillInactiveOrActive(alert)}");
        }
    }

    private static string SilencedDetail(AlertStatus alert) => $"silenced until {Times.Format(alert.SilencedUntil)}: {alert.SilenceReason}";

    private static string StillInactiveOrActive(AlertStatus alert) =>
        alert.Silenced ? "still silenced" : alert.Inhibited ? $"still inhibited by {alert.InhibitedBy}" : "the alert is active";
}
