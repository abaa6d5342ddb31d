using PolicyAction.Forge;

namespace PolicyAction.Orchestrator.Providers.GitHubQueries;

/// <summary>
/// <c>dependabot_alerts</c>, <c>code_scanning_alerts</c>, <c>secret_scanning_alerts</c>: open alerts at or above
/// <c>min_severity</c> (secret scanning alerts have no severity: all open ones count).
/// </summary>
internal sealed class OpenAlertsQuery(GitHubQuery query, SecurityAlertKind kind, GitHubPermission permission, string what) : GitHubSignalQuery
{
    public static OpenAlertsQuery Dependabot { get; } = new(GitHubQuery.DependabotAlerts, SecurityAlertKind.Dependabot, new("security-events: read", "Dependabot alerts: read"), "Dependabot alerts");

    public static OpenAlertsQuery CodeScanning { get; } = new(GitHubQuery.CodeScanningAlerts, SecurityAlertKind.CodeScanning, new("security-events: read", "Code scanning alerts: read"), "code scanning alerts");

    public static OpenAlertsQuery SecretScanning { get; } = new(GitHubQuery.SecretScanningAlerts, SecurityAlertKind.SecretScanning, new(null, "Secret scanning alerts: read"), "secret scanning alerts");

    public override GitHubQuery Query => query;

    public override GitHubPermission Permission => permission;

    public override async Task<SignalReading> ReadAsync(GitHubSource source, IForge forge, Func<Task<string>> defaultBranch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var listing = await forge.ListOpenAlertsAsync(kind, cancellationToken).ConfigureAwait(false);
        if (kind == SecurityAlertKind.SecretScanning)
        {
            return SignalReading.Number(listing.Items.Count, Counted(listing, listing.Items.Count, $"open {what}"));
        }

        var counted = listing.Items.Count(a => Level(a.Severity) is { } level && level >= source.MinSeverity);
        var threshold = source.MinSeverity.ToString().ToLowerInvariant();
        return SignalReading.Number(counted, Counted(listing, counted, $"open {what} at {threshold} or above (of {listing.Items.Count} open)"));
    }

    /// <summary>
    /// GitHub's severity names on one scale: Dependabot's and code scanning's security severities (low … critical),
    /// and code scanning's rule severities when a rule has no security severity (note: low, warning: medium, error: high).
    /// An unknown name counts as critical: an alert is never left out because GitHub added a level.
    /// </summary>
    public static AlertSeverityLevel? Level(string? severity) => severity?.ToLowerInvariant() switch
    {
        null or "" or "none" => null,
        "low" or "note" => AlertSeverityLevel.Low,
        "medium" or "moderate" or "warning" => AlertSeverityLevel.Medium,
        "high" or "error" => AlertSeverityLevel.High,
        _ => AlertSeverityLevel.Critical,
    };
}
