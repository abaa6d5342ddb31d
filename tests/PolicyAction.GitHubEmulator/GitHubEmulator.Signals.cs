using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using PolicyAction.GitHubEmulator.Contract;

namespace PolicyAction.GitHubEmulator;

/// <summary>A security feature an admin can turn off; the alert lists then answer as GitHub does.</summary>
public enum SecurityFeature
{
    /// <summary>Dependabot alerts off: 403 "Dependabot alerts are disabled for this repository."</summary>
    DependabotAlerts,

    /// <summary>Code scanning never set up: 404 "no analysis found".</summary>
    CodeScanning,

    /// <summary>A private repository without GitHub Advanced Security: code scanning answers 403 "Advanced Security must be enabled for this repository to use code scanning."</summary>
    AdvancedSecurity,

    /// <summary>Secret scanning off: 404 "Secret scanning is disabled on this repository."</summary>
    SecretScanning,
}

/// <summary>
/// The reads the orchestrator's GitHub signals make: workflow runs, Dependabot, code scanning and secret scanning
/// alerts, check runs and the combined status of a ref; with state tests seed, GitHub's paging (page numbers, or
/// cursors for Dependabot), per-permission refusals and the answers of features that are off.
/// </summary>
public sealed partial class GitHubEmulator
{
    private readonly List<RunState> _runs = [];
    private readonly List<AlertState> _alerts = [];
    private readonly List<CheckRunState> _checkRuns = [];
    private readonly List<StatusState> _statuses = [];
    private readonly HashSet<string> _withheld = new(StringComparer.Ordinal);
    private readonly HashSet<SecurityFeature> _disabled = [];

    // Per request, under the lock: a refusal GitHub sends on any endpoint (documented there or not), and the
    // X-Accepted-GitHub-Permissions header it carries.
    private bool _refusedAnywhere;
    private string? _acceptedPermissions;

    /// <summary>The permission (GitHub's name in <c>X-Accepted-GitHub-Permissions</c>) each signal read needs, by operation.</summary>
    private static readonly Dictionary<(string Method, string Template), string> ReadPermissions = new()
    {
        [("GET", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs")] = "actions",
        [("GET", "/repos/{owner}/{repo}/dependabot/alerts")] = "vulnerability_alerts",
        [("GET", "/repos/{owner}/{repo}/code-scanning/alerts")] = "security_events",
        [("GET", "/repos/{owner}/{repo}/secret-scanning/alerts")] = "secret_scanning_alerts",
        [("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs")] = "checks",
        [("GET", "/repos/{owner}/{repo}/commits/{ref}/status")] = "statuses",
        [("GET", "/repos/{owner}/{repo}/issues")] = "issues",
    };

    /// <summary>
    /// The token lacks a permission (GitHub's name: <c>actions</c>, <c>vulnerability_alerts</c>, <c>security_events</c>,
    /// <c>secret_scanning_alerts</c>, <c>checks</c>, <c>statuses</c>, <c>issues</c>): the reads that need it answer 403
    /// "Resource not accessible by integration" with <c>X-Accepted-GitHub-Permissions: NAME=read</c>, as GitHub does
    /// for a GITHUB_TOKEN or fine-grained token without it.
    /// </summary>
    public void WithholdPermission(string permission)
    {
        lock (_gate)
        {
            _withheld.Add(permission);
        }
    }

    public void DisableFeature(SecurityFeature feature)
    {
        lock (_gate)
        {
            _disabled.Add(feature);
        }
    }

    /// <summary>A run of a workflow (by its file name, e.g. <c>ci.yml</c>), as GitHub Actions would have made it. Returns its id.</summary>
    public long AddWorkflowRun(string workflow, DateTimeOffset createdAt, string? conclusion = "success", string status = "completed", string? branch = null)
    {
        lock (_gate)
        {
            var run = new RunState(NextId(), workflow, createdAt, status, status == "completed" ? conclusion : null, branch ?? Options.DefaultBranch);
            _runs.Add(run);
            return run.Id;
        }
    }

    /// <summary>A Dependabot alert with its advisory's severity (low, medium, high, critical); state open, dismissed, fixed or auto_dismissed.</summary>
    public int AddDependabotAlert(string severity, string state = "open") => AddAlert(SecurityFeature.DependabotAlerts, severity, null, state);

    /// <summary>A code scanning alert: the rule's severity (note, warning, error) and its security severity (low … critical, or null for a rule without one).</summary>
    public int AddCodeScanningAlert(string ruleSeverity, string? securitySeverity, string state = "open") => AddAlert(SecurityFeature.CodeScanning, ruleSeverity, securitySeverity, state);

    /// <summary>A secret scanning alert; state open or resolved.</summary>
    public int AddSecretScanningAlert(string state = "open") => AddAlert(SecurityFeature.SecretScanning, null, null, state);

    private int AddAlert(SecurityFeature kind, string? severity, string? securitySeverity, string state)
    {
        lock (_gate)
        {
            var number = _alerts.Count(a => a.Kind == kind) + 1;
            _alerts.Add(new AlertState(kind, number, severity, securitySeverity, state, DateTimeOffset.UtcNow));
            return number;
        }
    }

    /// <summary>A check run on a ref (a branch: its head commit now; or a commit SHA).</summary>
    public void AddCheckRun(string reference, string name, string? conclusion = "success", string status = "completed")
    {
        lock (_gate)
        {
            _checkRuns.Add(new CheckRunState(NextId(), CommitOf(reference), name, status, status == "completed" ? conclusion : null));
        }
    }

    /// <summary>A commit status on a ref (a branch: its head commit now; or a commit SHA); the latest per context counts.</summary>
    public void AddCommitStatus(string reference, string context, string state)
    {
        lock (_gate)
        {
            _statuses.Add(new StatusState(NextId(), CommitOf(reference), context, state, DateTimeOffset.UtcNow));
        }
    }

    private string CommitOf(string reference) => _refs.GetValueOrDefault($"refs/heads/{reference}") ?? reference;

    /// <summary>403 as GitHub refuses a token without the permission an operation needs; null when it has it.</summary>
    private (int, JsonNode?)? Withheld(Operation operation)
    {
        if (!ReadPermissions.TryGetValue((operation.Method, operation.Template), out var permission) || !_withheld.Contains(permission))
        {
            return null;
        }

        _refusedAnywhere = true;
        _acceptedPermissions = $"{permission}=read";
        return (403, JsonNode.Parse(Error("Resource not accessible by integration", DocumentationUrl(operation))));
    }

    private static string DocumentationUrl(Operation operation) =>
        operation.Definition.TryGetProperty("externalDocs", out var docs) && docs.TryGetProperty("url", out var url) ? url.GetString()! : "https://docs.github.com/rest";

    private (int Status, JsonNode? Body)? DispatchSignals(Operation operation, Match match, IQueryCollection query)
    {
        string P(string name) => Uri.UnescapeDataString(match.Groups[name].Value);

        switch (operation.Method, operation.Template)
        {
            case ("GET", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs"):
            {
                var workflow = P("workflow_id");
                var runs = _runs.Where(r => r.Workflow == workflow || r.WorkflowId.ToString(CultureInfo.InvariantCulture) == workflow);
                if (!runs.Any() && ReadFile(Options.DefaultBranch, $".github/workflows/{workflow}") is null)
                {
                    // A workflow that is neither a file nor has runs: 404, which GitHub answers on any endpoint for what it cannot find.
                    _refusedAnywhere = true;
                    return (404, JsonNode.Parse(Error("Not Found", DocumentationUrl(operation))));
                }

                if (query["branch"].FirstOrDefault() is { } branch)
                {
                    runs = runs.Where(r => r.Branch == branch);
                }

                if (query["created"].FirstOrDefault() is { } created)
                {
                    runs = runs.Where(Created(created));
                }

                var (page, total) = PageOf(runs.OrderByDescending(r => r.Created).ThenByDescending(r => r.Id).Select(RunJson), query);
                return (200, Make(operation, 200, new JsonObject
                {
                    ["total_count"] = total,
                    ["workflow_runs"] = new JsonArray([.. page.Select(r => NestedItem(operation, "workflow_runs", r))]),
                }));
            }

            case ("GET", "/repos/{owner}/{repo}/dependabot/alerts"):
                if (_disabled.Contains(SecurityFeature.DependabotAlerts))
                {
                    return (403, JsonNode.Parse(Error("Dependabot alerts are disabled for this repository.", DocumentationUrl(operation))));
                }

                return (200, CursorPage(operation, OpenOrAll(SecurityFeature.DependabotAlerts, query).Select(DependabotJson), query));

            case ("GET", "/repos/{owner}/{repo}/code-scanning/alerts"):
                if (_disabled.Contains(SecurityFeature.AdvancedSecurity))
                {
                    return (403, JsonNode.Parse(Error("Advanced Security must be enabled for this repository to use code scanning.", DocumentationUrl(operation))));
                }

                if (_disabled.Contains(SecurityFeature.CodeScanning))
                {
                    return (404, JsonNode.Parse(Error("no analysis found", DocumentationUrl(operation))));
                }

                return (200, Page(operation, OpenOrAll(SecurityFeature.CodeScanning, query).Select(CodeScanningJson), query));

            case ("GET", "/repos/{owner}/{repo}/secret-scanning/alerts"):
                if (_disabled.Contains(SecurityFeature.SecretScanning))
                {
                    return (404, JsonNode.Parse(Error("Secret scanning is disabled on this repository.", DocumentationUrl(operation))));
                }

                return (200, Page(operation, OpenOrAll(SecurityFeature.SecretScanning, query).Select(SecretScanningJson), query));

            case ("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs"):
            {
                var sha = CommitOf(P("ref"));

                // filter=latest (the default): the most recent run of each name.
                var runs = _checkRuns.Where(c => c.Sha == sha);
                if ((query["filter"].FirstOrDefault() ?? "latest") == "latest")
                {
                    runs = runs.GroupBy(c => c.Name, StringComparer.Ordinal).Select(g => g.MaxBy(c => c.Id)!);
                }

                var (page, total) = PageOf(runs.OrderByDescending(c => c.Id).Select(CheckRunJson), query);
                return (200, Make(operation, 200, new JsonObject
                {
                    ["total_count"] = total,
                    ["check_runs"] = new JsonArray([.. page.Select(c => NestedItem(operation, "check_runs", c))]),
                }));
            }

            case ("GET", "/repos/{owner}/{repo}/commits/{ref}/status"):
            {
                var reference = P("ref");
                var sha = CommitOf(reference);
                if (_git.Commit(sha) is null && !_statuses.Any(s => s.Sha == sha))
                {
                    return (404, JsonNode.Parse(Error($"No commit found for SHA: {reference}", DocumentationUrl(operation))));
                }

                var latest = _statuses.Where(s => s.Sha == sha).GroupBy(s => s.Context, StringComparer.Ordinal).Select(g => g.MaxBy(s => s.Id)!).OrderBy(s => s.Context, StringComparer.Ordinal).ToArray();
                var combined = latest.Length == 0 || latest.Any(s => s.State == "pending") ? "pending"
                    : latest.Any(s => s.State is "failure" or "error") ? "failure" : "success";
                var (page, total) = PageOf(latest.Select(StatusJson), query);
                return (200, Make(operation, 200, new JsonObject
                {
                    ["state"] = combined,
                    ["sha"] = sha,
                    ["total_count"] = total,
                    ["statuses"] = new JsonArray([.. page.Select(s => NestedItem(operation, "statuses", s))]),
                    ["commit_url"] = $"{RepoApi}/commits/{sha}",
                    ["url"] = $"{RepoApi}/commits/{sha}/status",
                }));
            }

            default:
                return null;
        }
    }

    /// <summary>GitHub's <c>created</c> filter: <c>&gt;=T</c>, <c>&gt;T</c>, <c>&lt;=T</c>, <c>&lt;T</c>, <c>A..B</c>, or a date.</summary>
    private static Func<RunState, bool> Created(string filter)
    {
        static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        if (filter.Contains("..", StringComparison.Ordinal))
        {
            var parts = filter.Split("..");
            return r => r.Created >= At(parts[0]) && r.Created <= At(parts[1]);
        }

        return filter switch
        {
            _ when filter.StartsWith(">=", StringComparison.Ordinal) => r => r.Created >= At(filter[2..]),
            _ when filter.StartsWith("<=", StringComparison.Ordinal) => r => r.Created <= At(filter[2..]),
            _ when filter.StartsWith('>') => r => r.Created > At(filter[1..]),
            _ when filter.StartsWith('<') => r => r.Created < At(filter[1..]),
            _ => r => r.Created.UtcDateTime.Date == At(filter).UtcDateTime.Date,
        };
    }

    private IEnumerable<AlertState> OpenOrAll(SecurityFeature kind, IQueryCollection query)
    {
        var states = (query["state"].FirstOrDefault() ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries);
        return _alerts.Where(a => a.Kind == kind && (states.Length == 0 || states.Contains(a.State))).OrderByDescending(a => a.Number);
    }

    /// <summary>One page of items by <c>per_page</c>/<c>page</c> with GitHub's <c>Link</c> header; the total before paging.</summary>
    private (JsonObject[] Page, int Total) PageOf(IEnumerable<JsonObject> items, IQueryCollection query)
    {
        var all = items.ToArray();
        var perPage = Math.Clamp(int.TryParse(query["per_page"].FirstOrDefault(), out var size) ? size : 30, 1, 100);
        var page = Math.Max(1, int.TryParse(query["page"].FirstOrDefault(), out var number) ? number : 1);
        var last = Math.Max(1, (all.Length + perPage - 1) / perPage);
        var links = new List<string>();
        if (page < last)
        {
            links.Add($"<{LinkUrl(query, "page", (page + 1).ToString(CultureInfo.InvariantCulture))}>; rel=\"next\"");
            links.Add($"<{LinkUrl(query, "page", last.ToString(CultureInfo.InvariantCulture))}>; rel=\"last\"");
        }

        if (page > 1)
        {
            links.Add($"<{LinkUrl(query, "page", "1")}>; rel=\"first\"");
            links.Add($"<{LinkUrl(query, "page", Math.Min(page - 1, last).ToString(CultureInfo.InvariantCulture))}>; rel=\"prev\"");
        }

        _link = links.Count == 0 ? null : string.Join(", ", links);
        return (all.Skip((page - 1) * perPage).Take(perPage).ToArray(), all.Length);
    }

    /// <summary>
    /// One page of a cursor-paged list, as the Dependabot alerts API pages: <c>per_page</c> and <c>after</c> (an
    /// opaque cursor), a <c>Link</c> header with <c>next</c> (and <c>prev</c>) only; no page numbers.
    /// </summary>
    private JsonArray CursorPage(Operation operation, IEnumerable<JsonObject> items, IQueryCollection query)
    {
        var all = items.ToArray();
        var perPage = Math.Clamp(int.TryParse(query["per_page"].FirstOrDefault(), out var size) ? size : 30, 1, 100);
        var start = query["after"].FirstOrDefault() is { Length: > 0 } after ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(after))["cursor:v2:".Length..], CultureInfo.InvariantCulture) : 0;
        var links = new List<string>();
        if (start + perPage < all.Length)
        {
            links.Add($"<{LinkUrl(query, "after", Cursor(start + perPage), "before")}>; rel=\"next\"");
        }

        if (start > 0)
        {
            links.Add($"<{LinkUrl(query, "before", Cursor(start), "after")}>; rel=\"prev\"");
        }

        _link = links.Count == 0 ? null : string.Join(", ", links);
        return new JsonArray([.. all.Skip(start).Take(perPage).Select(i => Item(operation, 200, i))]);
    }

    private static string Cursor(int position) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"cursor:v2:{position}"));

    /// <summary>This request's URL in the <c>/repositories/{id}/</c> form GitHub's links take, with one parameter set (and others dropped).</summary>
    private string LinkUrl(IQueryCollection query, string name, string value, params string[] drop)
    {
        var path = _requestPath[$"/repos/{Options.Owner}/{Options.Name}".Length..];
        var parameters = query.Where(q => q.Key != name && !drop.Contains(q.Key) && q.Key != "page").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}").Append($"{name}={Uri.EscapeDataString(value)}");
        return $"{Api}/repositories/{RepositoryId}{path}?{string.Join('&', parameters)}";
    }

    /// <summary>An item of an array inside the answer object (<c>workflow_runs</c>, <c>check_runs</c>, <c>statuses</c>), built from its schema.</summary>
    private JsonNode NestedItem(Operation operation, string property, JsonObject overlay)
    {
        var (_, schema) = operation.Response(200);
        var result = schema is { } s && s.TryGetProperty("properties", out var properties) && properties.TryGetProperty(property, out var array) && array.TryGetProperty("items", out var items)
            ? SchemaExample.Generate(items, Examples) as JsonObject ?? []
            : [];
        SchemaExample.Overlay(result, overlay);
        return result;
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private JsonObject RunJson(RunState run) => new()
    {
        ["id"] = run.Id,
        ["name"] = run.Workflow,
        ["path"] = $".github/workflows/{run.Workflow}",
        ["workflow_id"] = run.WorkflowId,
        ["head_branch"] = run.Branch,
        ["status"] = run.Status,
        ["conclusion"] = run.Conclusion,
        ["created_at"] = Time(run.Created),
        ["updated_at"] = Time(run.Created),
        ["run_started_at"] = Time(run.Created),
        ["url"] = $"{RepoApi}/actions/runs/{run.Id}",
        ["html_url"] = $"{Html}/actions/runs/{run.Id}",
    };

    private JsonObject DependabotJson(AlertState alert) => new()
    {
        ["number"] = alert.Number,
        ["state"] = alert.State,
        ["created_at"] = Time(alert.Created),
        ["updated_at"] = Time(alert.Created),
        ["url"] = $"{RepoApi}/dependabot/alerts/{alert.Number}",
        ["html_url"] = $"{Html}/security/dependabot/{alert.Number}",
        ["security_advisory"] = new JsonObject { ["severity"] = alert.Severity },
        ["security_vulnerability"] = new JsonObject { ["severity"] = alert.Severity },
    };

    private JsonObject CodeScanningJson(AlertState alert) => new()
    {
        ["number"] = alert.Number,
        ["state"] = alert.State,
        ["created_at"] = Time(alert.Created),
        ["url"] = $"{RepoApi}/code-scanning/alerts/{alert.Number}",
        ["html_url"] = $"{Html}/security/code-scanning/{alert.Number}",
        ["rule"] = new JsonObject { ["id"] = $"rule-{alert.Number}", ["severity"] = alert.Severity, ["security_severity_level"] = alert.SecuritySeverity },
    };

    private JsonObject SecretScanningJson(AlertState alert) => new()
    {
        ["number"] = alert.Number,
        ["state"] = alert.State,
        ["created_at"] = Time(alert.Created),
        ["url"] = $"{RepoApi}/secret-scanning/alerts/{alert.Number}",
        ["html_url"] = $"{Html}/security/secret-scanning/{alert.Number}",
    };

    private JsonObject CheckRunJson(CheckRunState run) => new()
    {
        ["id"] = run.Id,
        ["head_sha"] = run.Sha,
        ["name"] = run.Name,
        ["status"] = run.Status,
        ["conclusion"] = run.Conclusion,
        ["url"] = $"{RepoApi}/check-runs/{run.Id}",
        ["html_url"] = $"{Html}/runs/{run.Id}",
    };

    private JsonObject StatusJson(StatusState status) => new()
    {
        ["id"] = status.Id,
        ["context"] = status.Context,
        ["state"] = status.State,
        ["created_at"] = Time(status.Created),
        ["updated_at"] = Time(status.Created),
        ["url"] = $"{RepoApi}/statuses/{status.Sha}",
    };

    private sealed record RunState(long Id, string Workflow, DateTimeOffset Created, string Status, string? Conclusion, string Branch)
    {
        /// <summary>The workflow's id: stable per file name, so a signal may name either.</summary>
        public long WorkflowId => 161335 + Math.Abs(Workflow.GetHashCode(StringComparison.Ordinal) % 100_000);
    }

    private sealed record AlertState(SecurityFeature Kind, int Number, string? Severity, string? SecuritySeverity, string State, DateTimeOffset Created);

    private sealed record CheckRunState(long Id, string Sha, string Name, string Status, string? Conclusion);

    private sealed record StatusState(long Id, string Sha, string Context, string State, DateTimeOffset Created);
}
