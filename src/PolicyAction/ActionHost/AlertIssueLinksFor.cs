using System.Text.RegularExpressions;
using PolicyAction.Alerts;
using PolicyAction.RunnerProtocol;

namespace PolicyAction.ActionHost;

/// <summary>Where a run's alert issues link: its run, the runbook of the action it runs, and the report on the branch.</summary>
internal static partial class AlertIssueLinksFor
{
    /// <param name="configuredRunbook"><c>alerts.runbook_url</c>, which wins when set.</param>
    /// <param name="branch">The branch the report is committed to; null when this run commits nothing (the link would show a stale report, or none).</param>
    public static AlertIssueLinks Run(ActionContext context, string? configuredRunbook, string? branch)
    {
        var server = context.ServerUrl.TrimEnd('/');
        var repository = context.Repository is null ? null : $"{server}/{context.Repository}";
        return new AlertIssueLinks(
            repository,
            context.RunUrl,
            configuredRunbook ?? Runbook(server, context.Action),
            repository is null || branch is null ? null : $"{repository}/blob/{PathOf(branch)}/{AlertIssueText.ReportPath}");
    }

    /// <summary>
    /// docs/runbook.md of the action at the ref the workflow runs, which has the heading of every alert; null when the
    /// action's repository or ref is unknown or not shaped as GitHub's are: no link rather than one that would 404.
    /// </summary>
    public static string? Runbook(string server, (string Repository, string Ref)? action) =>
        action is ({ } repository, { } reference) && RepositoryName().IsMatch(repository) && RefName().IsMatch(reference) && !reference.Contains("..", StringComparison.Ordinal)
            ? $"{server}/{repository}/blob/{PathOf(reference)}/docs/runbook.md"
            : null;

    private static string PathOf(string reference) => string.Join('/', reference.Split('/').Select(Uri.EscapeDataString));

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex RepositoryName();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$")]
    private static partial Regex RefName();
}
