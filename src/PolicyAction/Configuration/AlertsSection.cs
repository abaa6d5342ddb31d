using PolicyAction.Alerts;

namespace PolicyAction.Configuration;

/// <summary>The <c>alerts:</c> section: fail_on, the rules (each rule names the keys it takes), issues and silences.</summary>
internal static partial class AlertsSection
{
    /// <summary>GitHub's limit on the assignees of one issue.</summary>
    private const int MaxAssignees = 10;

    public static AlertSettings Validate(AlertsDocument? document, ConfigProblems problems)
    {
        if (document is null)
        {
            return AlertSettings.Default;
        }

        Severity? failOn = Severity.High;
        if (document.FailOn is { } failText)
        {
            failOn = failText == "none" ? null
                : Severities.TryParse(failText, out var parsed) ? parsed
                : Invalid<Severity?>(problems, "alerts.fail_on", $"'{failText}' is not a severity; expected critical, high, medium, low or none", Severity.High);
        }

        var rules = AlertSettings.Default.Rules.ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
        foreach (var (id, rule) in document.Rules ?? [])
        {
            var at = $"alerts.rules.{id}";
            // Which keys mean something for which rule is the rule's to say; anything else is a mistake worth naming.
            if (AlertRules.Find(id) is not { } known)
            {
                problems.Report(at, $"unknown alert '{id}'; expected one of: {string.Join(", ", AlertIds.All)}", atValue: false);
                continue;
            }

            if (rule is null)
            {
                continue;
            }

            var keys = known.Keys;
            var current = rules[id];
            void NotFor(string key, bool given)
            {
                if (given && !keys.Contains(key))
                {
                    problems.Report($"{at}.{key}", $"does not apply to {id}; its settings are enabled, severity, {string.Join(", ", keys)}", atValue: false);
                }
            }

            NotFor("more_than", rule.MoreThan is not null);
            NotFor("longer_than", rule.LongerThan is not null);
            NotFor("window", rule.Window is not null);
            NotFor("prefix", rule.Prefix is not null);
            NotFor("create_fix_branch", rule.CreateFixBranch is not null);

            var severity = current.Severity;
            if (rule.Severity is { } severityText && !Severities.TryParse(severityText, out severity))
            {
                problems.Report($"{at}.severity", $"'{severityText}' is not a severity; expected critical, high, medium or low");
            }

            if (rule.MoreThan is < 0)
            {
                problems.Report($"{at}.more_than", "must be 0 or more");
            }

            if (rule.Prefix is { } prefix && (prefix.Length == 0 || prefix.Contains("..", StringComparison.Ordinal) || prefix.StartsWith('/') || prefix.Any(char.IsWhiteSpace)))
            {
                problems.Report($"{at}.prefix", $"'{prefix}' is not a branch-name prefix such as fix/");
            }

            rules[id] = current with
            {
                Enabled = rule.Enabled ?? current.Enabled,
                Severity = severity,
                MoreThan = rule.MoreThan ?? current.MoreThan,
                LongerThan = problems.Duration(rule.LongerThan, $"{at}.longer_than", current.LongerThan),
                Window = problems.Duration(rule.Window, $"{at}.window", current.Window),
                Prefix = rule.Prefix ?? current.Prefix,
                CreateFixBranch = rule.CreateFixBranch ?? current.CreateFixBranch,
            };
        }

        var issues = AlertSettings.DefaultIssues;
        if (document.Issues is { } issueDocument)
        {
            var minSeverity = issues.MinSeverity;
            if (issueDocument.MinSeverity is { } minText && !Severities.TryParse(minText, out minSeverity))
            {
                problems.Report("alerts.issues.min_severity", $"'{minText}' is not a severity; expected critical, high, medium or low");
            }

            issues = new IssueSettings(
                issueDocument.Enabled ?? issues.Enabled,
                minSeverity,
                issueDocument.Labels ?? issues.Labels,
                issueDocument.Assignees ?? issues.Assignees,
                problems.Duration(issueDocument.RepeatInterval, "alerts.issues.repeat_interval", issues.RepeatInterval),
                problems.Duration(issueDocument.ReopenWithin, "alerts.issues.reopen_within", issues.ReopenWithin),
                issueDocument.CloseOnResolve ?? issues.CloseOnResolve);
            if (issues.Labels.Count == 0)
            {
                problems.Report("alerts.issues.labels", "needs at least one label: alert issues are found by it");
            }

            for (var i = 0; i < issues.Assignees.Count; i++)
            {
                if (issues.Assignees[i] is not { } login || !GitHubLogin().IsMatch(login))
                {
                    problems.Report($"alerts.issues.assignees[{i}]", $"'{issues.Assignees[i]}' is not a GitHub login: letters, digits and single hyphens, at most 39, without @");
                }
            }

            if (issues.Assignees.Count > MaxAssignees)
            {
                problems.Report("alerts.issues.assignees", $"names {issues.Assignees.Count} people; GitHub assigns at most {MaxAssignees} to an issue");
            }
        }

        var silences = new List<Silence>();
        for (var i = 0; i < (document.Silences?.Count ?? 0); i++)
        {
            var silence = document.Silences![i];
            var at = $"alerts.silences[{i}]";
            if (silence is null || silence.Alert is null || !AlertIds.All.Contains(silence.Alert, StringComparer.Ordinal))
            {
                problems.Report($"{at}.alert", $"must name an alert: one of {string.Join(", ", AlertIds.All)}");
                continue;
            }

            if (!DateTimeOffset.TryParse(silence.Until, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var until))
            {
                problems.Report($"{at}.until", "must be a date and time such as 2026-12-01T00:00:00Z");
                continue;
            }

            if (string.IsNullOrWhiteSpace(silence.Reason))
            {
                problems.Report($"{at}.reason", "is required: say why the alert is silenced");
                continue;
            }

            silences.Add(new Silence(silence.Alert, until.ToUniversalTime(), silence.Reason.Trim()));
        }

        return new AlertSettings(failOn, rules, issues, silences) { RunbookUrl = RunbookUrl(document.RunbookUrl, problems) };
    }

    /// <summary>An https URL (it becomes a link in every alert issue), without a fragment: the alert's anchor is appended.</summary>
    private static string? RunbookUrl(string? text, ConfigProblems problems)
    {
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps || url.Fragment.Length > 0 || text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '(' or ')' or '<' or '>'))
        {
            problems.Report("alerts.runbook_url", $"'{text}' is not an https URL without a #fragment, such as https://github.com/my-org/policy-response/blob/v2/docs/runbook.md (each issue adds its alert's #anchor)");
            return null;
        }

        return text;
    }

    private static T Invalid<T>(ConfigProblems problems, string field, string message, T fallback)
    {
        problems.Report(field, message);
        return fallback;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")]
    private static partial System.Text.RegularExpressions.Regex GitHubLogin();
}
