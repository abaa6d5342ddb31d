using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using PolicyAction.GitHubEmulator.Contract;

namespace PolicyAction.GitHubEmulator;

/// <summary>How to start the double.</summary>
public sealed record DoubleOptions
{
    public string Owner { get; init; } = "octo-org";

    public string Name { get; init; } = "octo-repo";

    public string DefaultBranch { get; init; } = "main";

    public string Token { get; init; } = "ghs_FAKE0123456789abcdefTOKEN";

    public int Port { get; init; }

    /// <summary>Files of the first commit on the default branch.</summary>
    public IReadOnlyDictionary<string, byte[]> Files { get; init; } = new Dictionary<string, byte[]>();
}

/// <summary>How a branch is protected: a classic protection rule or a repository ruleset, each requiring pull requests.</summary>
public enum BranchRule
{
    None,
    Classic,
    Ruleset,
}

/// <summary>One HTTP exchange, as the double saw it.</summary>
public sealed record Exchange(string Method, string Path, string? RequestBody, int Status, string? ResponseBody, bool Faulted)
{
    /// <summary>When the double received the request.</summary>
    public DateTimeOffset At { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>
/// A fault to inject into the next <c>Count</c> requests that match. Kinds: a status code ("502": answered instead of
/// handling the request); "applied-502", "applied-504" (handled, then answered with that status, as GitHub does when a
/// write landed behind a failing proxy); "applied-drop" (handled, then the connection dropped without an answer);
/// "drop" (dropped before handling); "slow" (answered after <c>Seconds</c>); "secondary-rate-limit" (with
/// <c>retry-after</c>), "secondary-rate-limit-bare" (no <c>retry-after</c>, requests remaining, as GitHub often
/// answers), "primary-rate-limit", "429", "403", "reference-update-failed" (422, as GitHub answers a ref update it could not make).
/// </summary>
public sealed record Fault(string Kind, int Count = 1, string? Method = null, string? PathPattern = null, int Seconds = 1);

/// <summary>
/// A stateful double of the GitHub REST endpoints policy-response uses, on Kestrel at 127.0.0.1. Every request
/// and every response is checked against GitHub's official description; violations are collected and fail tests.
/// </summary>
public sealed partial class GitHubEmulator : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = false };

    private readonly Lock _gate = new();
    private readonly WebApplication _app;
    private readonly OpenApiContract _contract = OpenApiContract.Default;
    private readonly GitObjects _git = new();
    private readonly Dictionary<string, string> _refs = new(StringComparer.Ordinal);
    private readonly SortedDictionary<int, IssueState> _issues = [];
    private readonly Dictionary<long, CommentState> _comments = [];
    private readonly HashSet<int> _deletedIssues = [];
    private int _lastIssueNumber;
    private readonly List<string> _labels = [];
    private readonly ConcurrentQueue<Exchange> _exchanges = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly List<Fault> _faults = [];
    private readonly List<(string Method, System.Text.RegularExpressions.Regex Path, Action Action)> _before = [];
    private readonly Dictionary<string, BranchRule> _protection = new(StringComparer.Ordinal);
    private long _nextId = 1000;
    private long _requestsUsed;

    // Per request, under the lock: the path the endpoints answer for and the Link header a list answer sets.
    private string _requestPath = "/";
    private string? _link;
    private readonly DateTimeOffset _rateLimitReset = DateTimeOffset.UtcNow.AddHours(1);

    private GitHubEmulator(WebApplication app, DoubleOptions options)
    {
        _app = app;
        Options = options;
        var files = options.Files.ToDictionary(f => f.Key, f => ("100644", _git.AddBlob(f.Value)), StringComparer.Ordinal);
        var tree = _git.Build(files);
        _refs[$"refs/heads/{options.DefaultBranch}"] = _git.AddCommit(tree, [], "initial commit", DateTimeOffset.UtcNow);
    }

    public DoubleOptions Options { get; }

    /// <summary>The repository's id: the <c>/repositories/{id}/</c> routes, the form of GitHub's <c>Link</c> URLs, name it.</summary>
    public const long RepositoryId = 1296269;

    /// <summary>The size over which the contents API leaves a file's content out (1 MB).</summary>
    public const int LargeFileBytes = 1024 * 1024;

    /// <summary>
    /// Answer as GitHub Enterprise Server does where it differs from api.github.com: a file over 1 MB asked for in the
    /// default media type is refused with 403 <c>too_large</c> instead of served without content.
    /// </summary>
    public bool AnswersLikeEnterpriseServer { get; set; }

    /// <summary>Who can be assigned issues in the repository; null: anyone (GitHub answers 422 for anyone else).</summary>
    public HashSet<string>? Assignable { get; set; }

    /// <summary>The API root, as GITHUB_API_URL gives it to the tool.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public string Repository => $"{Options.Owner}/{Options.Name}";

    public IReadOnlyList<Exchange> Exchanges => [.. _exchanges];

    public IReadOnlyList<string> Violations => [.. _violations];

    public static async Task<GitHubEmulator> StartAsync(DoubleOptions? options = null)
    {
        options ??= new DoubleOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        builder.WebHost.UseKestrel(k => k.Limits.MaxRequestBodySize = 64 * 1024 * 1024);
        var app = builder.Build();
        var double_ = new GitHubEmulator(app, options);
        app.Run(double_.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Urls.First();
        double_.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return double_;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="action"/> (another run's commit, say) just before the double answers the next request with
    /// this method whose path matches <paramref name="pathPattern"/> (a regular expression): a race staged at an exact point.
    /// </summary>
    public void BeforeNext(string method, string pathPattern, Action action)
    {
        lock (_gate)
        {
            _before.Add((method, new System.Text.RegularExpressions.Regex(pathPattern), action));
        }
    }

    public void AddFault(Fault fault)
    {
        lock (_gate)
        {
            _faults.Add(fault);
        }
    }

    /// <summary>Throws with every contract violation seen so far.</summary>
    public void AssertContractHonoured()
    {
        if (!_violations.IsEmpty)
        {
            throw new InvalidOperationException($"{_violations.Count} exchange(s) broke GitHub's API description:\n" + string.Join("\n", _violations));
        }
    }

    public string? BranchHead(string branch)
    {
        lock (_gate)
        {
            return _refs.GetValueOrDefault($"refs/heads/{branch}");
        }
    }

    public IReadOnlyList<string> Branches()
    {
        lock (_gate)
        {
            return _refs.Keys.Where(r => r.StartsWith("refs/heads/", StringComparison.Ordinal)).Select(r => r["refs/heads/".Length..]).ToArray();
        }
    }

    /// <summary>A file's bytes on a branch, walking commit → tree → blob.</summary>
    public byte[]? ReadFile(string branch, string path)
    {
        lock (_gate)
        {
            var head = _refs.GetValueOrDefault($"refs/heads/{branch}");
            var commit = head is null ? null : _git.Commit(head);
            return commit is not null && _git.Lookup(commit.Tree, path) is { } file ? _git.Blob(file.Sha) : null;
        }
    }

    /// <summary>Every file on a branch, as a checkout would have them.</summary>
    public Dictionary<string, byte[]> Files(string branch)
    {
        lock (_gate)
        {
            var commit = _git.Commit(_refs[$"refs/heads/{branch}"])!;
            return _git.Flatten(commit.Tree).ToDictionary(f => f.Key, f => _git.Blob(f.Value.Sha)!, StringComparer.Ordinal);
        }
    }

    /// <summary>Creates a branch at another branch's head, as someone pushing it would.</summary>
    public void CreateBranch(string name, string from)
    {
        lock (_gate)
        {
            _refs.Add($"refs/heads/{name}", _refs[$"refs/heads/{from}"]);
        }
    }

    /// <summary>Commits files to a branch directly, as another person or run would.</summary>
    /// <param name="mode">The files' git mode: 100644 a file, 120000 a symbolic link (the content is its target).</param>
    public string CommitFiles(string branch, IReadOnlyDictionary<string, byte[]> files, string message, string mode = "100644")
    {
        lock (_gate)
        {
            var head = _refs[$"refs/heads/{branch}"];
            var changes = files.ToDictionary(f => f.Key, f => ((string, string)?)(mode, _git.AddBlob(f.Value)), StringComparer.Ordinal);
            var sha = _git.AddCommit(_git.Update(_git.Commit(head)!.Tree, changes), [head], message, DateTimeOffset.UtcNow);
            _refs[$"refs/heads/{branch}"] = sha;
            return sha;
        }
    }

    public IReadOnlyList<CommitInfo> History(string branch)
    {
        lock (_gate)
        {
            var list = new List<CommitInfo>();
            for (var sha = _refs.GetValueOrDefault($"refs/heads/{branch}"); sha is not null;)
            {
                var commit = _git.Commit(sha)!;
                list.Add(new CommitInfo(sha, commit.Message));
                sha = commit.Parents.FirstOrDefault();
            }

            return list;
        }
    }

    public IReadOnlyList<IssueView> Issues()
    {
        lock (_gate)
        {
            return _issues.Values.Select(i => new IssueView(i.Number, i.Title, i.Body, i.Open, [.. i.Labels], _comments.Values.Where(c => c.Issue == i.Number).OrderBy(c => c.Id).Select(c => c.Body).ToArray()) { Assignees = [.. i.Assignees] }).ToArray();
        }
    }

    /// <summary>
    /// Protects a branch as an admin would in the settings, requiring pull requests: writes to it through the API
    /// are refused as GitHub refuses them (contents 409, refs 422), and it is shown by <c>branches/{branch}/protection</c>
    /// (classic) or <c>rules/branches/{branch}</c> (ruleset). <see cref="CommitFiles"/> still works, as a merged pull request would.
    /// </summary>
    public void ProtectBranch(string branch, BranchRule rule)
    {
        lock (_gate)
        {
            _protection[branch] = rule;
        }
    }

    /// <summary>
    /// Files an issue as a person would (through the web UI): it takes the next number. With <paramref name="pullRequest"/>,
    /// it is a pull request, which shares the numbers: the issues API serves it as an issue with a <c>pull_request</c>
    /// key, lists it among the issues, and comments on and closes it as one, as GitHub does.
    /// </summary>
    public int FileIssue(string title, string? body, IReadOnlyList<string> labels, bool open = true, bool pullRequest = false)
    {
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            var issue = new IssueState { Number = ++_lastIssueNumber, Id = NextId(), Title = title, Body = body, Labels = [.. labels], Created = now, Updated = now, Open = open, Closed = open ? null : now, PullRequest = pullRequest };
            _labels.AddRange(labels.Where(l => !_labels.Contains(l)).Distinct());
            _issues[issue.Number] = issue;
            return issue.Number;
        }
    }

    /// <summary>
    /// Deletes an issue as an admin would in the web UI (there is no REST endpoint for it): it leaves every list,
    /// and requests for its number are answered 410 Gone, as GitHub does. Its number is never given out again.
    /// </summary>
    public void DeleteIssue(int number)
    {
        lock (_gate)
        {
            if (!_issues.Remove(number))
            {
                throw new InvalidOperationException($"issue #{number} does not exist");
            }

            _deletedIssues.Add(number);
            foreach (var comment in _comments.Values.Where(c => c.Issue == number).ToArray())
            {
                _comments.Remove(comment.Id);
            }
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var received = DateTimeOffset.UtcNow;
        var request = context.Request;

        // The path as sent, still escaped: Kestrel's decoded Path would turn a branch named 'a%2e' into 'a.',
        // and the endpoints unescape each parameter once, as GitHub does.
        var target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        var path = target.Split('?', 2)[0];
        if (path.StartsWith("/api/v3/", StringComparison.Ordinal))
        {
            path = path["/api/v3".Length..];
        }

        string? body = null;
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync().ConfigureAwait(false);
        }

        if (path.StartsWith("/_emulator/", StringComparison.Ordinal))
        {
            await WriteAsync(context, 200, StateDump()).ConfigureAwait(false);
            return;
        }

        Action? before = null;
        lock (_gate)
        {
            var index = _before.FindIndex(b => b.Method == request.Method && b.Path.IsMatch(path));
            if (index >= 0)
            {
                before = _before[index].Action;
                _before.RemoveAt(index);
            }
        }

        before?.Invoke();

        var fault = TakeFault(request.Method, path);
        if (fault is not null && fault.Kind == "slow")
        {
            await Task.Delay(TimeSpan.FromSeconds(fault.Seconds)).ConfigureAwait(false);
            fault = null;
        }

        if (fault is { Kind: "drop" })
        {
            _exchanges.Enqueue(new Exchange(request.Method, path, body, 0, null, true) { At = received });
            context.Abort();
            return;
        }

        Fault? afterwards = null;
        if (fault is not null && fault.Kind.StartsWith("applied-", StringComparison.Ordinal))
        {
            (afterwards, fault) = (fault, null);
        }

        if (fault is not null)
        {
            var (status, message) = FaultAnswer(context, fault);
            var faultBody = message.Contains("secondary rate limit", StringComparison.Ordinal)
                ? Error(message, "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits")
                : Error(message);
            _exchanges.Enqueue(new Exchange(request.Method, path, body, status, faultBody, true) { At = received });
            await WriteAsync(context, status, faultBody).ConfigureAwait(false);
            return;
        }

        var auth = request.Headers.Authorization.ToString().Split(' ', 2);
        if (auth.Length != 2 || !(auth[0].Equals("token", StringComparison.OrdinalIgnoreCase) || auth[0].Equals("bearer", StringComparison.OrdinalIgnoreCase)) || auth[1] != Options.Token)
        {
            var unauthorized = Error("Bad credentials");
            _exchanges.Enqueue(new Exchange(request.Method, path, body, 401, unauthorized, false) { At = received });
            await WriteAsync(context, 401, unauthorized).ConfigureAwait(false);
            return;
        }

        // GitHub's Link URLs name the repository by id; the routes are the same operations as /repos/{owner}/{repo}/.
        var sentPath = path;
        var byId = RepositoryRoute().Match(path);
        if (byId.Success)
        {
            path = byId.Groups["id"].Value == RepositoryId.ToString(CultureInfo.InvariantCulture) ? $"/repos/{Options.Owner}/{Options.Name}{byId.Groups["rest"].Value}" : "/repos/_/_" + byId.Groups["rest"].Value;
        }

        var (operation, match) = _contract.Find(request.Method, path);
        var refusedAnywhere = false;
        int code;
        string? answer;
        if (operation is null)
        {
            _violations.Enqueue($"{request.Method} {path}: not an operation in GitHub's API description");
            (code, answer) = (404, Error("Not Found"));
        }
        else
        {
            JsonNode? parsed = null;
            if (operation.RequestSchema is { } requestSchema)
            {
                try
                {
                    parsed = body is null ? null : JsonNode.Parse(body);
                    using var document = JsonDocument.Parse(body ?? "null");
                    foreach (var error in SchemaValidator.Validate(requestSchema, document.RootElement))
                    {
                        _violations.Enqueue($"{request.Method} {operation.Template} request: {error}");
                    }
                }
                catch (JsonException e)
                {
                    _violations.Enqueue($"{request.Method} {operation.Template} request: not JSON ({e.Message})");
                }
            }

            try
            {
                lock (_gate)
                {
                    (_requestPath, _link, _refusedAnywhere, _acceptedPermissions) = (path, null, false, null);
                    (code, var node) = Dispatch(operation, match!, parsed, request.Query, request.Headers.Accept.ToString());
                    answer = node?.ToJsonString(Indented);
                    refusedAnywhere = _refusedAnywhere;
                    if (_link is not null)
                    {
                        context.Response.Headers.Link = _link;
                    }

                    if (_acceptedPermissions is not null)
                    {
                        context.Response.Headers["x-accepted-github-permissions"] = _acceptedPermissions;
                    }
                }
            }
            catch (Exception e) when (e is KeyNotFoundException or FormatException or InvalidOperationException or NullReferenceException)
            {
                (code, answer) = (422, Error($"Invalid request: {e.Message}"));
            }

            // A missing permission is refused with 403 on any endpoint, whether or not GitHub's description lists it.
            var (documented, responseSchema) = operation.Response(code);
            if (!documented && !refusedAnywhere)
            {
                _violations.Enqueue($"{request.Method} {operation.Template} response {code}: status not documented");
            }
            else if (responseSchema is { } schema && answer is not null)
            {
                using var document = JsonDocument.Parse(answer);
                foreach (var error in SchemaValidator.Validate(schema, document.RootElement))
                {
                    _violations.Enqueue($"{request.Method} {operation.Template} response {code}: {error}");
                }
            }
        }

        if (afterwards is not null)
        {
            // The request took effect; the answer is lost on the way back.
            _exchanges.Enqueue(new Exchange(request.Method, sentPath + request.QueryString, body, code, answer, true) { At = received });
            if (afterwards.Kind == "applied-drop")
            {
                context.Abort();
                return;
            }

            var status = int.Parse(afterwards.Kind["applied-".Length..], CultureInfo.InvariantCulture);
            await WriteAsync(context, status, Error(status == 504 ? "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists." : "Server Error")).ConfigureAwait(false);
            return;
        }

        _exchanges.Enqueue(new Exchange(request.Method, sentPath + request.QueryString, body, code, answer, false) { At = received });
        await WriteAsync(context, code, answer).ConfigureAwait(false);
    }

    private Fault? TakeFault(string method, string path)
    {
        lock (_gate)
        {
            var fault = _faults.FirstOrDefault(f => f.Count > 0 && (f.Method is null || f.Method == method) && (f.PathPattern is null || Regex.IsMatch(path, f.PathPattern)));
            if (fault is null)
            {
                return null;
            }

            var index = _faults.IndexOf(fault);
            _faults[index] = fault with { Count = fault.Count - 1 };
            return fault;
        }
    }

    private static (int Status, string Message) FaultAnswer(HttpContext context, Fault fault)
    {
        switch (fault.Kind)
        {
            case "secondary-rate-limit":
                context.Response.Headers["retry-after"] = fault.Seconds.ToString(CultureInfo.InvariantCulture);
                return (403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.");
            case "secondary-rate-limit-bare":
                context.Response.Headers["x-ratelimit-remaining"] = "4987";
                return (403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0400:3A6E:1B3C4D5:1C0E6F7:6743A1B2.");
            case "primary-rate-limit":
                context.Response.Headers["x-ratelimit-remaining"] = "0";
                context.Response.Headers["x-ratelimit-reset"] = DateTimeOffset.UtcNow.AddSeconds(fault.Seconds).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                return (403, "API rate limit exceeded");
            case "429":
                context.Response.Headers["retry-after"] = fault.Seconds.ToString(CultureInfo.InvariantCulture);
                return (429, "Too many requests");
            case "403":
                return (403, "Resource not accessible by integration");
            case "reference-update-failed":
                return (422, "Reference update failed");
            default:
                return (int.Parse(fault.Kind, CultureInfo.InvariantCulture), "Server Error");
        }
    }

    private async Task WriteAsync(HttpContext context, int status, string? body)
    {
        // GitHub's headers on every answer: the primary limit's counters, its API version, a request id.
        var used = Interlocked.Increment(ref _requestsUsed);
        var headers = context.Response.Headers;
        context.Response.StatusCode = status;
        headers["x-ratelimit-limit"] = "5000";
        if (!headers.ContainsKey("x-ratelimit-remaining"))
        {
            headers["x-ratelimit-remaining"] = Math.Max(0, 5000 - used).ToString(CultureInfo.InvariantCulture);
        }

        headers["x-ratelimit-used"] = Math.Min(5000, used).ToString(CultureInfo.InvariantCulture);
        if (!headers.ContainsKey("x-ratelimit-reset"))
        {
            headers["x-ratelimit-reset"] = _rateLimitReset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        }

        headers["x-ratelimit-resource"] = "core";
        headers["x-github-api-version-selected"] = "2022-11-28";
        headers["x-github-media-type"] = "github.v3; format=json";
        headers["x-github-request-id"] = $"{Random.Shared.Next(0x1000, 0xFFFF):X4}:{Random.Shared.Next(0x10000, 0xFFFFF):X5}:{Random.Shared.Next():X7}:{Random.Shared.Next():X7}:{DateTimeOffset.UtcNow.ToUnixTimeSeconds():X8}";
        if (body is not null)
        {
            if (status >= 400 && JsonNode.Parse(body) is JsonObject error && !error.ContainsKey("status"))
            {
                // GitHub's error bodies say their status, as a string.
                error["status"] = status.ToString(CultureInfo.InvariantCulture);
                body = error.ToJsonString();
            }
            else if (status == 201 && JsonNode.Parse(body) is JsonObject created && created["url"]?.GetValueKind() == JsonValueKind.String)
            {
                headers.Location = created["url"]!.GetValue<string>();
            }

            if (status == 200 && context.Request.Method == "GET")
            {
                headers.ETag = $"W/\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body)))}\"";
            }

            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(body).ConfigureAwait(false);
        }
    }

    private static string Error(string message, string documentation = "https://docs.github.com/rest") =>
        new JsonObject { ["message"] = message, ["documentation_url"] = documentation }.ToJsonString();

    private string StateDump() =>
        new JsonObject
        {
            ["refs"] = new JsonObject(_refs.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value))),
            ["issues"] = JsonSerializer.SerializeToNode(Issues().Select(i => new { i.Number, i.Title, i.Open, i.Labels, i.Comments })),
            ["violations"] = new JsonArray([.. Violations.Select(v => (JsonNode)v)]),
            ["requests"] = new JsonArray([.. Exchanges.Select(e => (JsonNode)$"{e.Method} {e.Path} {e.Status}")]),
        }.ToJsonString();

    [GeneratedRegex("^/repositories/(?<id>[0-9]+)(?<rest>/.*)$")]
    private static partial Regex RepositoryRoute();

    private sealed class IssueState
    {
        public required int Number { get; init; }

        public required long Id { get; init; }

        public required string Title { get; set; }

        public string? Body { get; set; }

        public bool Open { get; set; } = true;

        public string? StateReason { get; set; }

        public List<string> Labels { get; init; } = [];

        public List<string> Assignees { get; init; } = [];

        public DateTimeOffset Created { get; init; }

        public DateTimeOffset Updated { get; set; }

        public DateTimeOffset? Closed { get; set; }

        public bool PullRequest { get; init; }
    }

    private sealed record CommentState(long Id, int Issue, string Body, DateTimeOffset Created);
}

public sealed record IssueView(int Number, string Title, string? Body, bool Open, IReadOnlyList<string> Labels, IReadOnlyList<string> Comments)
{
    public IReadOnlyList<string> Assignees { get; init; } = [];
}

public sealed record CommitInfo(string Sha, string Message);
