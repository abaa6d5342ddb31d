using PolicyAction.Configuration;
using PolicyAction.Forge;
using PolicyAction.GitHub;
using PolicyAction.Output;

namespace PolicyAction.Alerts;

/// <summary>One thing the sync did on GitHub: opened, repeated, reopened, resolved, fix_branch.</summary>
internal sealed record IssueAction(string Alert, string Event, string Detail)
{
    public override string ToString() => $"{Alert}: {Detail}";
}

/// <summary>What the issue sync did, for the history, the summary and the outputs; and what of the report it did not trust.</summary>
internal sealed record IssueSync(AlertReport Report, IReadOnlyList<string> IssueUrls, IReadOnlyList<IssueAction> Actions, IReadOnlyList<string> Warnings)
{
    /// <summary>Issues opened without their assignees, because GitHub could not assign them.</summary>
    public IReadOnlyList<string> Unassigned { get; init; } = [];
}

/// <summary>
/// Keeps one GitHub issue per alert, as people who run Alertmanager expect: open it when the alert fires,
/// comment at most once per repeat interval while it keeps firing, comment and close when it resolves,
/// reopen the same issue if it fires again soon after. Issues are found by label and the fingerprint
/// marker in their body, never by the search API. Silenced and inhibited alerts cause no activity.
/// The last report is a committed file anyone who can push may edit: an issue number from it is only acted on once
/// GitHub shows it is this alert's issue, and a fix branch from it only used when it is the name the tool gives it.
/// </summary>
internal sealed class AlertIssueManager
{
    /// <summary>Where the tool makes fix branches: one per alert, named by its fingerprint (<see cref="FixBranchName(string)"/>).</summary>
    public const string FixBranchPrefix = "fix/policy-response/";

    private readonly IForge _issues;
    private readonly AlertSettings _settings;
    private readonly TimeProvider _clock;
    private readonly AlertIssueLinks _links;
    private readonly IssueClaim? _claim;
    private readonly Action<AlertHistoryRecord> _recordLocally;
    private readonly List<string> _unassigned = [];
    private DateTimeOffset _listedAt;

    /// <param name="claim">Claims the right to open an issue on the shared branch first; null when this run does not commit to a branch.</param>
    /// <param name="recordLocally">Appends a claim to the local history too, so the artifact commit carries it instead of dropping it.</param>
    /// <param name="links">Where the issues' links point: the checker's run, the runbook, the report.</param>
    public AlertIssueManager(IForge issues, AlertSettings settings, TimeProvider clock, AlertIssueLinks links, IssueClaim? claim, Action<AlertHistoryRecord> recordLocally)
    {
        _claim = claim;
        _recordLocally = recordLocally;
        _issues = issues;
        _settings = settings;
        _clock = clock;
        _links = links;
    }

    public async Task<IssueSync> SyncAsync(AlertReport current, AlertReport? previous, string defaultBranch, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var before = (previous?.Alerts ?? []).ToDictionary(a => a.Id, StringComparer.Ordinal);
        var actions = new List<IssueAction>();
        var warnings = new List<string>();
        var urls = new List<string>();
        var label = _settings.Issues.Labels[0];
        IReadOnlyList<IssueInfo>? existing = null;
        async Task<IReadOnlyList<IssueInfo>> Existing()
        {
            if (existing is null)
            {
                _listedAt = _clock.GetUtcNow();
                existing = await _issues.ListIssuesAsync(label, cancellationToken).ConfigureAwait(false);
            }

            return existing;
        }

        var updated = new List<AlertStatus>();
        foreach (var alert in current.Alerts)
        {
            before.TryGetValue(alert.Id, out var was);
            var status = alert with
            {
                IssueNumber = was?.IssueNumber,
                IssueUrl = was?.IssueUrl,
                LastNotifiedAt = was?.LastNotifiedAt,
                ResolvedAt = alert.Firing ? was?.ResolvedAt : (was?.Firing ?? false) ? now : was?.ResolvedAt,
                FixBranch = TrustedFixBranch(alert, was?.FixBranch, warnings),
            };

            var wantsIssue = _settings.Issues.Enabled && alert.ParsedSeverity >= _settings.Issues.MinSeverity;
            if (alert.Active && status.FixBranch is null && AlertRules.Find(alert.Id) is { } rule && rule.CreatesFixBranch(_settings.Rules[alert.Id]))
            {
                var name = FixBranchName(alert);
                var head = await _issues.GetBranchHeadAsync(defaultBranch, cancellationToken).ConfigureAwait(false)
                    ?? throw new ForgeException($"the default branch {defaultBranch} does not exist");
                var created = await _issues.CreateBranchAsync(name, head.CommitSha, cancellationToken).ConfigureAwait(false);
                actions.Add(new IssueAction(alert.Id, "fix_branch", created ? $"created fix branch {name}" : $"reusing existing fix branch {name}"));
                status = status with { FixBranch = name };
            }

            if (wantsIssue && alert.Active)
            {
                status = await FireAsync(status, now, Existing, actions, warnings, cancellationToken).ConfigureAwait(false);
            }
            else if (wantsIssue && !alert.Firing && (was?.Firing ?? false) && status.IssueNumber is { } number)
            {
                status = await ResolveAsync(status, was!, number, now, Existing, actions, warnings, cancellationToken).ConfigureAwait(false);
            }

            if (status.IssueUrl is { } url && alert.Active && wantsIssue)
            {
                urls.Add(url);
            }

            updated.Add(status);
        }

        return new IssueSync(current with { Alerts = updated }, urls, actions, warnings) { Unassigned = _unassigned };
    }

    /// <summary>The name the tool gives an alert's fix branch.</summary>
    public static string FixBranchName(AlertStatus alert) => FixBranchName(alert.Id);

    public static string FixBranchName(string alertId) => $"{FixBranchPrefix}{AlertStatus.FingerprintOf(alertId)}";

    /// <summary>Whether a branch has the name the tool gives an alert's fix branch.</summary>
    public static bool IsFixBranchOfAnAlert(string branch) => AlertIds.All.Any(id => FixBranchName(id) == branch);

    /// <summary>
    /// The report's fix branch when it is the one the tool makes for this alert. Another name would go into the issue
    /// and stop the real branch from being made, so it is ignored with a warning (and the branch made or reused).
    /// </summary>
    private static string? TrustedFixBranch(AlertStatus alert, string? named, List<string> warnings)
    {
        if (named is null || named == FixBranchName(alert))
        {
            return named;
        }

        var problem = BranchName.Problem(named)
            ?? (named.StartsWith(FixBranchPrefix, StringComparison.Ordinal) ? $"this alert's fix branch is {FixBranchName(alert)}" : $"it is not under {FixBranchPrefix}");
        warnings.Add($"{alert.Id}: the report's fix_branch {BranchName.Display(named)} is ignored ({problem})");
        return null;
    }

    /// <summary>
    /// The issue a number from the report names, when GitHub shows it is this alert's: an issue, not a pull request (the
    /// issues API serves those too), with the tool's label and this alert's fingerprint marker. Gone: deleted or moved
    /// away. Otherwise a warning, and neither: the caller forgets the number and looks for the alert's own issue.
    /// </summary>
    private async Task<(IssueInfo? Ours, bool Gone)> NamedIssueAsync(AlertStatus alert, int number, List<string> warnings, CancellationToken cancellationToken)
    {
        var issue = await _issues.GetIssueAsync(number, cancellationToken).ConfigureAwait(false);
        if (issue is null)
        {
            return (null, true);
        }

        var label = _settings.Issues.Labels[0];
        var problem = issue.IsPullRequest ? "it is a pull request"
            : !issue.Labels.Contains(label, StringComparer.OrdinalIgnoreCase) ? $"it does not carry the label {label}"
            : AlertIssueText.FingerprintOf(issue.Body) != alert.Fingerprint ? "its body does not carry this alert's fingerprint marker"
            : null;
        if (problem is null)
        {
            return (issue, false);
        }

        warnings.Add($"{alert.Id}: issue #{number} in the report is not this alert's issue ({problem}); it is left alone");
        return (null, false);
    }

    private async Task<AlertStatus> ResolveAsync(AlertStatus alert, AlertStatus was, int number, DateTimeOffset now, Func<Task<IReadOnlyList<IssueInfo>>> existing, List<IssueAction> actions, List<string> warnings, CancellationToken cancellationToken)
    {
        var (issue, gone) = await NamedIssueAsync(alert, number, warnings, cancellationToken).ConfigureAwait(false);
        if (issue is null && !gone)
        {
            // Not this alert's issue: its own, if one is open, is found by label and marker as when it fires.
            issue = (await existing().ConfigureAwait(false))
                .Where(i => i.Open && AlertIssueText.FingerprintOf(i.Body) == alert.Fingerprint)
                .OrderBy(i => i.Number)
                .FirstOrDefault();
            if (issue is null)
            {
                actions.Add(new IssueAction(alert.Id, "resolved", $"resolved; #{number} is not this alert's issue and none of its own is open, nothing to close"));
                return alert with { IssueNumber = null, IssueUrl = null };
            }
        }

        if (issue is not null && await _issues.AddCommentAsync(issue.Number, AlertIssueText.ResolvedComment(was, now, _links.RunUrl), cancellationToken).ConfigureAwait(false))
        {
            if (_settings.Issues.CloseOnResolve)
            {
                await _issues.SetIssueOpenAsync(issue.Number, false, cancellationToken).ConfigureAwait(false);
            }

            actions.Add(new IssueAction(alert.Id, "resolved", $"resolved; {(_settings.Issues.CloseOnResolve ? "closed" : "commented on")} #{issue.Number}"));
            return alert with { IssueNumber = issue.Number, IssueUrl = issue.Url };
        }

        // Someone deleted the issue; there is nothing left to close, and it must not be remembered.
        actions.Add(new IssueAction(alert.Id, "resolved", $"resolved; #{issue?.Number ?? number} no longer exists, nothing to close"));
        return alert with { IssueNumber = null, IssueUrl = null };
    }

    private async Task<AlertStatus> FireAsync(AlertStatus alert, DateTimeOffset now, Func<Task<IReadOnlyList<IssueInfo>>> existing, List<IssueAction> actions, List<string> warnings, CancellationToken cancellationToken)
    {
        var issues = (await existing().ConfigureAwait(false))
            .Where(i => AlertIssueText.FingerprintOf(i.Body) == alert.Fingerprint)
            .OrderBy(i => i.Number)
            .ToArray();

        // A number from the report that is not among this alert's issues is gone, or never was this alert's (a warning):
        // either way it is forgotten, and never carried into the new report.
        var previous = alert.IssueNumber;
        var previousGone = false;
        if (previous is { } named && !issues.Any(i => i.Number == named))
        {
            previousGone = (await NamedIssueAsync(alert, named, warnings, cancellationToken).ConfigureAwait(false)).Gone;
            alert = alert with { IssueNumber = null, IssueUrl = null };
        }

        var vanished = new List<int>();
        var open = issues.FirstOrDefault(i => i.Open);
        if (open is not null)
        {
            // An issue the report does not know (another check opened it, or the report was lost) counts as
            // notified when it was last updated, so a check running just after its twin does not comment.
            var known = alert.IssueNumber == open.Number;
            var lastNotified = known ? alert.LastNotifiedAt : open.UpdatedAt;
            if (lastNotified is { } last && now - last < _settings.Issues.RepeatInterval)
            {
                return alert with { IssueNumber = open.Number, IssueUrl = open.Url, LastNotifiedAt = last };
            }

            if (await _issues.AddCommentAsync(open.Number, AlertIssueText.RepeatComment(alert, _links), cancellationToken).ConfigureAwait(false))
            {
                actions.Add(new IssueAction(alert.Id, "repeated", $"still firing; commented on #{open.Number}"));
                return alert with { IssueNumber = open.Number, IssueUrl = open.Url, LastNotifiedAt = now };
            }

            // Deleted between the listing and the comment: go on as if it had never been listed.
            vanished.Add(open.Number);
        }

        var recent = issues.Where(i => !i.Open && i.ClosedAt is { } closed && now - closed <= _settings.Issues.ReopenWithin).OrderByDescending(i => i.ClosedAt).FirstOrDefault();
        if (recent is not null && !await _issues.SetIssueOpenAsync(recent.Number, true, cancellationToken).ConfigureAwait(false))
        {
            vanished.Add(recent.Number);
        }
        else if (recent is not null)
        {
            await _issues.AddCommentAsync(recent.Number, AlertIssueText.ReopenComment(alert, _links), cancellationToken).ConfigureAwait(false);
            actions.Add(new IssueAction(alert.Id, "reopened", $"fired again; reopened #{recent.Number}"));
            return alert with { IssueNumber = recent.Number, IssueUrl = recent.Url, LastNotifiedAt = now };
        }

        // The issue this alert had is gone (deleted, or transferred out of the repository): say so when opening a new one.
        var gone = previous is { } before && (previousGone || vanished.Contains(before)) ? $" (#{before} no longer exists)" : string.Empty;

        if (_claim is not null)
        {
            var claim = await _claim.ClaimAsync(alert, _listedAt, null, cancellationToken).ConfigureAwait(false);
            if (claim.IssueMayExist)
            {
                // Another check settled this alert's claim after we listed: adopt its issue without a claim of our own.
                // If it is not open (closed or deleted since, or the settlement was older than the clock allowance
                // suggested), this listing came after that settlement, so claim again looking past it.
                if (await OpenIssueOf(alert, cancellationToken).ConfigureAwait(false) is { } opened)
                {
                    actions.Add(new IssueAction(alert.Id, IssueClaim.AdoptedEvent, $"another check opened #{opened.Number} just before; adopting it"));
                    return alert with { IssueNumber = opened.Number, IssueUrl = opened.Url, LastNotifiedAt = now };
                }

                claim = await _claim.ClaimAsync(alert, _listedAt, claim.SettledAt, cancellationToken).ConfigureAwait(false);
            }

            if (!claim.Won)
            {
                // Another check is opening this issue right now: adopt it if it is already there, else leave it to that run.
                var theirs = await OpenIssueOf(alert, cancellationToken).ConfigureAwait(false);
                actions.Add(new IssueAction(alert.Id, "claimed_elsewhere", theirs is null
                    ? $"another check ({claim.HeldBy}) is opening the issue; not opening a second one"
                    : $"another check ({claim.HeldBy}) opened #{theirs.Number}"));
                return theirs is null ? alert : alert with { IssueNumber = theirs.Number, IssueUrl = theirs.Url, LastNotifiedAt = now };
            }

            _recordLocally(claim.Record!);
        }

        var title = AlertIssueText.Title(alert);
        var body = AlertIssueText.Body(alert, now, _links, alert.FixBranch);
        IssueInfo created;
        try
        {
            created = await _issues.CreateIssueAsync(title, body, _settings.Issues.Labels, _settings.Issues.Assignees, cancellationToken).ConfigureAwait(false);
        }
        catch (AssigneesRefusedException e)
        {
            // An alert without its issue is worse than an issue without its assignee: open it, and say who was not assigned.
            _unassigned.Add($"{alert.Id}: {e.Message}; opened the issue unassigned. Fix alerts.issues.assignees: each login must be assignable in this repository");
            created = await _issues.CreateIssueAsync(title, body, _settings.Issues.Labels, [], cancellationToken).ConfigureAwait(false);
        }

        if (_claim is null)
        {
            // Without a claim on the branch, two checks at once can both open an issue: the lower number wins and
            // the other closes its own as a duplicate. Listing by label sees new issues at once, unlike the search index.
            var twin = await OpenIssueOf(alert, cancellationToken).ConfigureAwait(false) is { } first && first.Number < created.Number ? first : null;
            if (twin is not null)
            {
                await _issues.AddCommentAsync(created.Number, $"Duplicate of #{twin.Number} (two alert checks ran at once).\n", cancellationToken).ConfigureAwait(false);
                await _issues.SetIssueOpenAsync(created.Number, false, cancellationToken).ConfigureAwait(false);
                actions.Add(new IssueAction(alert.Id, "duplicate", $"closed #{created.Number} as a duplicate of #{twin.Number}"));
                return alert with { IssueNumber = twin.Number, IssueUrl = twin.Url, LastNotifiedAt = now };
            }
        }

        actions.Add(new IssueAction(alert.Id, IssueClaim.OpenedEvent, $"fired; opened #{created.Number}{gone}"));
        return alert with { IssueNumber = created.Number, IssueUrl = created.Url, LastNotifiedAt = now };
    }

    /// <summary>The lowest-numbered open issue for this alert, listed afresh (another check may have just opened it).</summary>
    private async Task<IssueInfo?> OpenIssueOf(AlertStatus alert, CancellationToken cancellationToken) =>
        (await _issues.ListIssuesAsync(_settings.Issues.Labels[0], cancellationToken).ConfigureAwait(false))
            .Where(i => i.Open && AlertIssueText.FingerprintOf(i.Body) == alert.Fingerprint)
            .OrderBy(i => i.Number)
            .FirstOrDefault();
}
