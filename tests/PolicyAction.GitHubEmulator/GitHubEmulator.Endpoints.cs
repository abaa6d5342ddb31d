using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using PolicyAction.GitHubEmulator.Contract;

namespace PolicyAction.GitHubEmulator;

/// <summary>The endpoints: GitHub's behaviour for each operation, over the double's state (called under the lock).</summary>
public sealed partial class GitHubEmulator
{
    private string Api => BaseAddress.ToString().TrimEnd('/');

    private string RepoApi => $"{Api}/repos/{Options.Owner}/{Options.Name}";

    private string Html => $"{Api}/_html/{Options.Owner}/{Options.Name}";

    private ExampleValues Examples => new(Api, RepoApi, Html, Options.Owner);

    private (int Status, JsonNode? Body) Dispatch(Operation operation, Match match, JsonNode? body, IQueryCollection query, string accept)
    {
        if (match.Groups["owner"] is { Success: true } owner && (owner.Value != Options.Owner || match.Groups["repo"].Value != Options.Name))
        {
            return (404, JsonNode.Parse(Error("Not Found")));
        }

        if (Withheld(operation) is { } withheld)
        {
            return withheld;
        }

        string P(string name) => Uri.UnescapeDataString(match.Groups[name].Value);

        switch (operation.Method, operation.Template)
        {
            case ("GET", "/rate_limit"):
                return (200, Make(operation, 200, new JsonObject()));
            case ("GET", "/repos/{owner}/{repo}"):
                return (200, Make(operation, 200, new JsonObject
                {
                    ["id"] = RepositoryId,
                    ["name"] = Options.Name,
                    ["full_name"] = Repository,
                    ["default_branch"] = Options.DefaultBranch,
                    ["owner"] = new JsonObject { ["login"] = Options.Owner, ["type"] = "Organization" },
                    ["visibility"] = "private",
                    ["private"] = true,
                    ["url"] = RepoApi,
                    ["html_url"] = Html,
                }));

            case ("GET", "/repos/{owner}/{repo}/issues"):
                return (200, Page(operation, ListIssues(query).Select(IssueJson), query));
            case ("POST", "/repos/{owner}/{repo}/issues"):
            {
                if (TooLong(body, "Issue") is { } tooLong)
                {
                    return tooLong;
                }

                var assignees = body!["assignees"]?.AsArray().Select(l => l!.GetValue<string>()).ToList() ?? [];
                if (Assignable is not null && assignees.FirstOrDefault(a => !Assignable.Contains(a)) is { } cannot)
                {
                    // GitHub refuses the whole issue when someone named cannot be assigned in the repository.
                    return (422, new JsonObject
                    {
                        ["message"] = "Validation Failed",
                        ["errors"] = new JsonArray(new JsonObject { ["value"] = cannot, ["resource"] = "Issue", ["field"] = "assignees", ["code"] = "invalid" }),
                        ["documentation_url"] = "https://docs.github.com/rest/issues/issues#create-an-issue",
                    });
                }

                var now = DateTimeOffset.UtcNow;
                var issue = new IssueState
                {
                    Number = ++_lastIssueNumber,
                    Id = NextId(),
                    Title = body!["title"]!.ToString(),
                    Body = body["body"]?.GetValue<string>(),
                    Labels = body["labels"]?.AsArray().Select(l => l!.GetValue<string>()).ToList() ?? [],
                    Assignees = assignees,
                    Created = now,
                    Updated = now,
                };
                foreach (var label in issue.Labels.Where(l => !_labels.Contains(l)))
                {
                    _labels.Add(label);
                }

                _issues[issue.Number] = issue;
                return (201, Make(operation, 201, IssueJson(issue)));
            }

            case ("GET", "/repos/{owner}/{repo}/issues/{issue_number}"):
                return _issues.TryGetValue(int.Parse(P("issue_number"), CultureInfo.InvariantCulture), out var found)
                    ? (200, Make(operation, 200, IssueJson(found)))
                    : Missing(P("issue_number"));
            case ("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}"):
            {
                if (!_issues.TryGetValue(int.Parse(P("issue_number"), CultureInfo.InvariantCulture), out var issue))
                {
                    return Missing(P("issue_number"));
                }

                if (TooLong(body, "Issue") is { } tooLong)
                {
                    return tooLong;
                }

                if (body?["title"] is { } title)
                {
                    issue.Title = title.GetValue<string>();
                }

                if (body?["body"] is { } text)
                {
                    issue.Body = text.GetValue<string>();
                }

                if (body?["state"]?.GetValue<string>() is { } state)
                {
                    var open = state == "open";
                    if (open != issue.Open)
                    {
                        issue.Open = open;
                        issue.Closed = open ? null : DateTimeOffset.UtcNow;
                        issue.StateReason = open ? "reopened" : body["state_reason"]?.GetValue<string>() ?? "completed";
                    }
                }

                issue.Updated = DateTimeOffset.UtcNow;
                return (200, Make(operation, 200, IssueJson(issue)));
            }

            case ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments"):
            {
                var number = int.Parse(P("issue_number"), CultureInfo.InvariantCulture);
                if (!_issues.ContainsKey(number))
                {
                    return Missing(P("issue_number"));
                }

                // since: comments updated at or after that time (ours are never edited, so created).
                var since = query.TryGetValue("since", out var sinceText) && DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var from) ? from : DateTimeOffset.MinValue;
                return (200, Page(operation, _comments.Values.Where(c => c.Issue == number && c.Created >= since).OrderBy(c => c.Id).Select(CommentJson), query));
            }

            case ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"):
            {
                var number = int.Parse(P("issue_number"), CultureInfo.InvariantCulture);
                if (!_issues.TryGetValue(number, out var issue))
                {
                    return Missing(P("issue_number"));
                }

                if (TooLong(body, "IssueComment") is { } tooLong)
                {
                    return tooLong;
                }

                var comment = new CommentState(NextId(), number, body!["body"]!.GetValue<string>(), DateTimeOffset.UtcNow);
                _comments[comment.Id] = comment;
                issue.Updated = comment.Created;
                return (201, Make(operation, 201, CommentJson(comment)));
            }

            case ("GET", "/repos/{owner}/{repo}/labels"):
                return (200, Page(operation, _labels.Select(LabelJson), query));

            case ("GET", "/repos/{owner}/{repo}/branches"):
                return (200, Page(operation, _refs.Where(r => r.Key.StartsWith("refs/heads/", StringComparison.Ordinal)).OrderBy(r => r.Key, StringComparer.Ordinal)
                    .Select(r => new JsonObject
                    {
                        ["name"] = r.Key["refs/heads/".Length..],
                        ["commit"] = new JsonObject { ["sha"] = r.Value, ["url"] = $"{RepoApi}/commits/{r.Value}" },
                        ["protected"] = _protection.GetValueOrDefault(r.Key["refs/heads/".Length..]) != BranchRule.None,
                    }), query));

            case ("GET", "/repos/{owner}/{repo}/branches/{branch}"):
            {
                if (!_refs.TryGetValue("refs/heads/" + P("branch"), out var tip))
                {
                    return (404, JsonNode.Parse(Error("Branch not found")));
                }

                var tipCommit = _git.Commit(tip)!;
                var git = CommitJson(tipCommit);
                return (200, Make(operation, 200, new JsonObject
                {
                    ["name"] = P("branch"),
                    ["commit"] = new JsonObject
                    {
                        ["sha"] = tip,
                        ["node_id"] = git["node_id"]!.DeepClone(),
                        ["url"] = $"{RepoApi}/commits/{tip}",
                        ["html_url"] = git["html_url"]!.DeepClone(),
                        ["comments_url"] = $"{RepoApi}/commits/{tip}/comments",
                        ["commit"] = new JsonObject
                        {
                            ["author"] = git["author"]!.DeepClone(),
                            ["committer"] = git["committer"]!.DeepClone(),
                            ["message"] = tipCommit.Message,
                            ["comment_count"] = 0,
                            ["tree"] = git["tree"]!.DeepClone(),
                            ["url"] = git["url"]!.DeepClone(),
                        },
                        ["parents"] = new JsonArray([.. tipCommit.Parents.Select(p => (JsonNode)new JsonObject { ["sha"] = p, ["url"] = $"{RepoApi}/commits/{p}", ["html_url"] = $"{Html}/commit/{p}" })]),
                    },
                    ["_links"] = new JsonObject { ["html"] = $"{Html}/tree/{P("branch")}", ["self"] = $"{RepoApi}/branches/{P("branch")}" },
                    ["protected"] = _protection.GetValueOrDefault(P("branch")) != BranchRule.None,
                    ["protection_url"] = $"{RepoApi}/branches/{P("branch")}/protection",
                }));
            }

            case ("GET", "/repos/{owner}/{repo}/branches/{branch}/protection"):
                return _protection.GetValueOrDefault(P("branch")) == BranchRule.Classic
                    ? (200, Make(operation, 200, new JsonObject
                    {
                        ["url"] = $"{RepoApi}/branches/{P("branch")}/protection",
                        ["required_pull_request_reviews"] = new JsonObject
                        {
                            ["url"] = $"{RepoApi}/branches/{P("branch")}/protection/required_pull_request_reviews",
                            ["required_approving_review_count"] = 1,
                            ["dismiss_stale_reviews"] = false,
                            ["require_code_owner_reviews"] = false,
                        },
                    }))
                    : (404, JsonNode.Parse(Error("Branch not protected", "https://docs.github.com/rest/branches/branch-protection#get-branch-protection")));

            case ("GET", "/repos/{owner}/{repo}/rules/branches/{branch}"):
                return (200, _protection.GetValueOrDefault(P("branch")) == BranchRule.Ruleset
                    ? new JsonArray(Item(operation, 200, new JsonObject
                    {
                        ["type"] = "pull_request",
                        ["ruleset_source_type"] = "Repository",
                        ["ruleset_source"] = Repository,
                        ["ruleset_id"] = RulesetId,
                        ["parameters"] = new JsonObject
                        {
                            ["required_approving_review_count"] = 1,
                            ["dismiss_stale_reviews_on_push"] = false,
                            ["require_code_owner_review"] = false,
                            ["require_last_push_approval"] = false,
                            ["required_review_thread_resolution"] = false,
                        },
                    }))
                    : []);

            case ("GET", "/repos/{owner}/{repo}/git/ref/{ref}"):
                return _refs.TryGetValue("refs/" + P("ref"), out var refSha)
                    ? (200, Make(operation, 200, RefJson("refs/" + P("ref"), refSha)))
                    : (404, JsonNode.Parse(Error("Not Found")));
            case ("GET", "/repos/{owner}/{repo}/git/matching-refs/{ref}"):
                return (200, new JsonArray([.. _refs.Where(r => r.Key.StartsWith("refs/" + P("ref"), StringComparison.Ordinal)).OrderBy(r => r.Key, StringComparer.Ordinal)
                    .Select(r => Item(operation, 200, RefJson(r.Key, r.Value)))]));
            case ("POST", "/repos/{owner}/{repo}/git/refs"):
            {
                var name = body!["ref"]!.GetValue<string>();
                var sha = body["sha"]!.GetValue<string>();
                if (!name.StartsWith("refs/", StringComparison.Ordinal) || name.Count(c => c == '/') < 2)
                {
                    return (422, JsonNode.Parse(Error("Reference name is not valid")));
                }

                if (_refs.ContainsKey(name))
                {
                    return (422, JsonNode.Parse(Error("Reference already exists")));
                }

                if (_git.Commit(sha) is null)
                {
                    return (422, JsonNode.Parse(Error("Object does not exist")));
                }

                _refs[name] = sha;
                return (201, Make(operation, 201, RefJson(name, sha)));
            }

            case ("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}"):
            {
                var name = "refs/" + P("ref");
                var sha = body!["sha"]!.GetValue<string>();
                var force = body["force"]?.GetValue<bool>() ?? false;
                if (!_refs.TryGetValue(name, out var current))
                {
                    return (422, JsonNode.Parse(Error("Reference does not exist")));
                }

                if (_git.Commit(sha) is null)
                {
                    return (422, JsonNode.Parse(Error("Object does not exist")));
                }

                if (name.StartsWith("refs/heads/", StringComparison.Ordinal) && Refusal(name["refs/heads/".Length..]) is { } refused)
                {
                    return (422, JsonNode.Parse(Error(refused, "https://docs.github.com/rest/git/refs#update-a-reference")));
                }

                if (!force && !_git.IsAncestor(current, sha))
                {
                    return (422, JsonNode.Parse(Error("Update is not a fast forward")));
                }

                _refs[name] = sha;
                return (200, Make(operation, 200, RefJson(name, sha)));
            }

            case ("POST", "/repos/{owner}/{repo}/git/blobs"):
            {
                var content = body!["content"]!.GetValue<string>();
                var bytes = body["encoding"]?.GetValue<string>() == "base64" ? Convert.FromBase64String(content) : Encoding.UTF8.GetBytes(content);
                var sha = _git.AddBlob(bytes);
                return (201, Make(operation, 201, new JsonObject { ["sha"] = sha, ["url"] = $"{RepoApi}/git/blobs/{sha}" }));
            }

            case ("GET", "/repos/{owner}/{repo}/git/blobs/{file_sha}"):
            {
                var blob = _git.Blob(P("file_sha"));
                return blob is null
                    ? (404, JsonNode.Parse(Error("Not Found")))
                    : (200, Make(operation, 200, new JsonObject
                    {
                        ["sha"] = P("file_sha"),
                        ["size"] = blob.Length,
                        ["content"] = Convert.ToBase64String(blob),
                        ["encoding"] = "base64",
                        ["url"] = $"{RepoApi}/git/blobs/{P("file_sha")}",
                        ["node_id"] = "B_" + P("file_sha")[..12],
                    }));
            }

            case ("POST", "/repos/{owner}/{repo}/git/trees"):
            {
                var baseTree = body!["base_tree"]?.GetValue<string>();
                if (baseTree is not null && _git.Tree(baseTree) is null)
                {
                    throw new InvalidOperationException("base_tree does not exist");
                }

                var changes = new Dictionary<string, (string Mode, string Sha)?>(StringComparer.Ordinal);
                foreach (var entry in body["tree"]!.AsArray())
                {
                    var path = entry!["path"]!.GetValue<string>();
                    var mode = entry["mode"]!.GetValue<string>();
                    if (entry["content"] is { } inline)
                    {
                        changes[path] = (mode, _git.AddBlob(Encoding.UTF8.GetBytes(inline.GetValue<string>())));
                    }
                    else if (entry["sha"] is { } sha)
                    {
                        changes[path] = (mode, sha.GetValue<string>());
                    }
                    else
                    {
                        changes[path] = null;
                    }
                }

                var root = _git.Update(baseTree, changes);
                return (201, Make(operation, 201, TreeJson(root)));
            }

            case ("GET", "/repos/{owner}/{repo}/git/trees/{tree_sha}"):
                return _git.Tree(P("tree_sha")) is null ? (404, JsonNode.Parse(Error("Not Found"))) : (200, Make(operation, 200, TreeJson(P("tree_sha"))));

            case ("POST", "/repos/{owner}/{repo}/git/commits"):
            {
                var tree = body!["tree"]!.GetValue<string>();
                var parents = body["parents"]?.AsArray().Select(p => p!.GetValue<string>()).ToArray() ?? [];
                if (_git.Tree(tree) is null || parents.Any(p => _git.Commit(p) is null))
                {
                    return (422, JsonNode.Parse(Error("Tree or parent SHA does not exist")));
                }

                var sha = _git.AddCommit(tree, parents, body["message"]!.GetValue<string>(), DateTimeOffset.UtcNow);
                return (201, Make(operation, 201, CommitJson(_git.Commit(sha)!)));
            }

            case ("GET", "/repos/{owner}/{repo}/git/commits/{commit_sha}"):
                return _git.Commit(P("commit_sha")) is { } commit ? (200, Make(operation, 200, CommitJson(commit))) : (404, JsonNode.Parse(Error("Not Found")));

            case ("GET", "/repos/{owner}/{repo}/contents/{path}"):
            {
                var reference = query["ref"].FirstOrDefault() ?? Options.DefaultBranch;
                var commitSha = _git.Commit(reference) is not null ? reference : _refs.GetValueOrDefault($"refs/heads/{reference}");
                var path = P("path");
                if (commitSha is null || _git.Lookup(_git.Commit(commitSha)!.Tree, path) is not { } file)
                {
                    return (404, JsonNode.Parse(Error("Not Found")));
                }

                var bytes = _git.Blob(file.Sha)!;
                var large = bytes.Length > LargeFileBytes;
                if (large && AnswersLikeEnterpriseServer && !accept.Contains("object", StringComparison.Ordinal) && !accept.Contains("raw", StringComparison.Ordinal))
                {
                    // GitHub Enterprise Server refuses files over 1 MB in the default media type.
                    return (403, JsonNode.Parse(new JsonObject
                    {
                        ["message"] = "This API returns blobs up to 1 MB in size. The requested blob is too large to fetch via the API, but you can use the Git Data API to request blobs up to 100 MB in size.",
                        ["errors"] = new JsonArray(new JsonObject { ["resource"] = "Blob", ["field"] = "data", ["code"] = "too_large" }),
                        ["documentation_url"] = "https://docs.github.com/enterprise-server@3.14/rest/repos/contents#get-repository-content",
                        ["status"] = "403",
                    }.ToJsonString()));
                }

                return (200, Make(operation, 200, new JsonObject
                {
                    ["type"] = "file",

                    // Files over 1 MB come without content: "none" in the object media type, and so api.github.com
                    // has answered in the default one too.
                    ["encoding"] = large ? "none" : "base64",
                    ["size"] = bytes.Length,
                    ["name"] = path[(path.LastIndexOf('/') + 1)..],
                    ["path"] = path,
                    ["content"] = large ? string.Empty : Convert.ToBase64String(bytes),
                    ["sha"] = file.Sha,
                    ["url"] = $"{RepoApi}/contents/{path}",
                    ["git_url"] = $"{RepoApi}/git/blobs/{file.Sha}",
                    ["html_url"] = $"{Html}/blob/{reference}/{path}",
                    ["download_url"] = $"{Api}/_raw/{path}",
                    ["_links"] = new JsonObject { ["self"] = $"{RepoApi}/contents/{path}", ["git"] = $"{RepoApi}/git/blobs/{file.Sha}", ["html"] = $"{Html}/blob/{reference}/{path}" },
                }));
            }

            case ("PUT", "/repos/{owner}/{repo}/contents/{path}"):
            {
                // Create or update one file on a branch's current head, as a compare-and-swap on the file's blob SHA.
                var branch = body!["branch"]?.GetValue<string>() ?? Options.DefaultBranch;
                if (!_refs.TryGetValue($"refs/heads/{branch}", out var head))
                {
                    return (404, JsonNode.Parse(Error($"Branch {branch} not found")));
                }

                if (Refusal(branch) is { } refused)
                {
                    return (409, JsonNode.Parse(Error(refused, "https://docs.github.com/rest/repos/contents#create-or-update-file-contents")));
                }

                var path = P("path");
                var headTree = _git.Commit(head)!.Tree;
                var current = _git.Lookup(headTree, path);
                var existing = current?.Sha;
                var given = body["sha"]?.GetValue<string>();
                if (existing is not null && given is null)
                {
                    return (422, JsonNode.Parse(Error("Invalid request.\n\n\"sha\" wasn't supplied.")));
                }

                if (given is not null && given != existing)
                {
                    return (409, JsonNode.Parse(Error($"{path} does not match {given}")));
                }

                var blob = _git.AddBlob(Convert.FromBase64String(body["content"]!.GetValue<string>()));
                var tree = _git.Update(headTree, new Dictionary<string, (string Mode, string Sha)?>(StringComparer.Ordinal) { [path] = (current?.Mode ?? "100644", blob) });
                var sha = _git.AddCommit(tree, [head], body["message"]!.GetValue<string>(), DateTimeOffset.UtcNow);
                _refs[$"refs/heads/{branch}"] = sha;
                var status = existing is null ? 201 : 200;
                var size = _git.Blob(blob)!.Length;
                return (status, Make(operation, status, new JsonObject
                {
                    ["content"] = new JsonObject
                    {
                        ["type"] = "file",
                        ["name"] = path[(path.LastIndexOf('/') + 1)..],
                        ["path"] = path,
                        ["sha"] = blob,
                        ["size"] = size,
                        ["url"] = $"{RepoApi}/contents/{path}",
                        ["html_url"] = $"{Html}/blob/{branch}/{path}",
                        ["git_url"] = $"{RepoApi}/git/blobs/{blob}",
                        ["download_url"] = $"{Api}/_raw/{path}",
                        ["_links"] = new JsonObject { ["self"] = $"{RepoApi}/contents/{path}", ["git"] = $"{RepoApi}/git/blobs/{blob}", ["html"] = $"{Html}/blob/{branch}/{path}" },
                    },
                    ["commit"] = CommitJson(_git.Commit(sha)!),
                }));
            }

            default:
                return DispatchSignals(operation, match, query) ?? (404, JsonNode.Parse(Error($"the double does not implement {operation.Method} {operation.Template}")));
        }
    }

    private long NextId() => ++_nextId;

    /// <summary>The id of the ruleset <see cref="BranchRule.Ruleset"/> stands for.</summary>
    public const long RulesetId = 4242;

    /// <summary>GitHub's message refusing an API write to a protected branch; null when the branch takes writes.</summary>
    private string? Refusal(string branch) => _protection.GetValueOrDefault(branch) switch
    {
        BranchRule.Classic => $"Protected branch update failed for refs/heads/{branch}.",
        BranchRule.Ruleset => "Repository rule violations found\n\nChanges must be made through a pull request.\n\n",
        _ => null,
    };

    /// <summary>GitHub's limit on an issue's or a comment's body, in characters.</summary>
    public const int BodyLimit = 65_536;

    /// <summary>422 as GitHub refuses a body over <see cref="BodyLimit"/>; null when the body fits.</summary>
    private static (int, JsonNode?)? TooLong(JsonNode? body, string resource) =>
        body?["body"]?.GetValueKind() == JsonValueKind.String && body["body"]!.GetValue<string>().Length > BodyLimit
            ? (422, new JsonObject
            {
                ["message"] = "Validation Failed",
                ["errors"] = new JsonArray(new JsonObject { ["resource"] = resource, ["code"] = "custom", ["field"] = "body", ["message"] = $"body is too long (maximum is {BodyLimit} characters)" }),
                ["documentation_url"] = "https://docs.github.com/rest/issues",
            })
            : null;

    /// <summary>GitHub answers 410 Gone for a deleted issue and 404 for a number that never existed.</summary>
    private (int, JsonNode?) Missing(string issueNumber) =>
        _deletedIssues.Contains(int.Parse(issueNumber, CultureInfo.InvariantCulture))
            ? (410, JsonNode.Parse(Error("This issue was deleted")))
            : (404, JsonNode.Parse(Error("Not Found")));

    private IEnumerable<IssueState> ListIssues(IQueryCollection query)
    {
        var state = query["state"].FirstOrDefault() ?? "open";
        var labels = (query["labels"].FirstOrDefault() ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries);
        var issues = _issues.Values.Where(i => state == "all" || (state == "open") == i.Open).Where(i => labels.All(i.Labels.Contains));
        var ascending = query["direction"].FirstOrDefault() == "asc";
        return ascending ? issues.OrderBy(i => i.Number) : issues.OrderByDescending(i => i.Number);
    }

    /// <summary>
    /// One page of a list as GitHub pages it: <c>per_page</c> (default 30, at most 100) and <c>page</c>, with a
    /// <c>Link</c> header naming the next, last, first and previous pages in the <c>/repositories/{id}/</c> form.
    /// </summary>
    private JsonArray Page(Operation operation, IEnumerable<JsonObject> items, IQueryCollection query)
    {
        var perPage = Math.Clamp(int.TryParse(query["per_page"].FirstOrDefault(), out var size) ? size : 30, 1, 100);
        var page = Math.Max(1, int.TryParse(query["page"].FirstOrDefault(), out var number) ? number : 1);
        var all = items.ToArray();
        var last = Math.Max(1, (all.Length + perPage - 1) / perPage);
        var links = new List<string>();
        if (page < last)
        {
            links.Add($"<{PageUrl(operation, query, page + 1)}>; rel=\"next\"");
            links.Add($"<{PageUrl(operation, query, last)}>; rel=\"last\"");
        }

        if (page > 1)
        {
            links.Add($"<{PageUrl(operation, query, 1)}>; rel=\"first\"");
            links.Add($"<{PageUrl(operation, query, Math.Min(page - 1, last))}>; rel=\"prev\"");
        }

        _link = links.Count == 0 ? null : string.Join(", ", links);
        return new JsonArray([.. all.Skip((page - 1) * perPage).Take(perPage).Select(i => Item(operation, 200, i))]);
    }

    private string PageUrl(Operation operation, IQueryCollection query, int page)
    {
        var path = _requestPath[$"/repos/{Options.Owner}/{Options.Name}".Length..];
        var parameters = query.Where(q => q.Key != "page").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}").Append($"page={page}");
        _ = operation;
        return $"{Api}/repositories/{RepositoryId}{path}?{string.Join('&', parameters)}";
    }

    private JsonNode Make(Operation operation, int status, JsonObject overlay)
    {
        var (_, schema) = operation.Response(status);
        var result = schema is { } s ? SchemaExample.Generate(s, Examples) as JsonObject ?? [] : [];
        SchemaExample.Overlay(result, overlay);
        return result;
    }

    private JsonNode Item(Operation operation, int status, JsonObject overlay)
    {
        var (_, schema) = operation.Response(status);
        var result = schema is { } s && s.TryGetProperty("items", out var items) ? SchemaExample.Generate(items, Examples) as JsonObject ?? [] : [];
        SchemaExample.Overlay(result, overlay);
        return result;
    }

    private JsonObject User() => new()
    {
        ["login"] = "github-actions[bot]",
        ["id"] = 41898282,
        ["type"] = "Bot",
        ["url"] = $"{Api}/users/github-actions%5Bbot%5D",
        ["html_url"] = $"{Api}/_html/apps/github-actions",
    };

    private JsonObject IssueJson(IssueState issue)
    {
        var json = PlainIssueJson(issue);
        if (issue.PullRequest)
        {
            json["pull_request"] = new JsonObject
            {
                ["url"] = $"{RepoApi}/pulls/{issue.Number}",
                ["html_url"] = $"{Html}/pull/{issue.Number}",
                ["diff_url"] = $"{Html}/pull/{issue.Number}.diff",
                ["patch_url"] = $"{Html}/pull/{issue.Number}.patch",
                ["merged_at"] = null,
            };
        }

        return json;
    }

    private JsonObject PlainIssueJson(IssueState issue) => new()
    {
        ["id"] = issue.Id,
        ["node_id"] = $"I_{issue.Id}",
        ["number"] = issue.Number,
        ["title"] = issue.Title,
        ["body"] = issue.Body,
        ["state"] = issue.Open ? "open" : "closed",
        ["state_reason"] = issue.StateReason,
        ["locked"] = false,
        ["url"] = $"{RepoApi}/issues/{issue.Number}",
        ["repository_url"] = RepoApi,
        ["labels_url"] = $"{RepoApi}/issues/{issue.Number}/labels{{/name}}",
        ["comments_url"] = $"{RepoApi}/issues/{issue.Number}/comments",
        ["events_url"] = $"{RepoApi}/issues/{issue.Number}/events",
        ["html_url"] = issue.PullRequest ? $"{Html}/pull/{issue.Number}" : $"{Html}/issues/{issue.Number}",
        ["user"] = User(),
        ["labels"] = new JsonArray([.. issue.Labels.Select(l => (JsonNode)LabelJson(l))]),
        ["assignee"] = null,
        ["assignees"] = new JsonArray(),
        ["milestone"] = null,
        ["comments"] = _comments.Values.Count(c => c.Issue == issue.Number),
        ["created_at"] = issue.Created.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["updated_at"] = issue.Updated.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["closed_at"] = issue.Closed?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["author_association"] = "NONE",
    };

    private JsonObject LabelJson(string name) => new()
    {
        ["id"] = Math.Abs((long)name.GetHashCode(StringComparison.Ordinal)),
        ["node_id"] = $"LA_{name}",
        ["url"] = $"{RepoApi}/labels/{Uri.EscapeDataString(name)}",
        ["name"] = name,
        ["description"] = null,
        ["color"] = "d73a4a",
        ["default"] = false,
    };

    private JsonObject CommentJson(CommentState comment) => new()
    {
        ["id"] = comment.Id,
        ["node_id"] = $"IC_{comment.Id}",
        ["url"] = $"{RepoApi}/issues/comments/{comment.Id}",
        ["html_url"] = $"{Html}/issues/{comment.Issue}#issuecomment-{comment.Id}",
        ["issue_url"] = $"{RepoApi}/issues/{comment.Issue}",
        ["body"] = comment.Body,
        ["user"] = User(),
        ["author_association"] = "NONE",
        ["created_at"] = comment.Created.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["updated_at"] = comment.Created.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
    };

    private JsonObject RefJson(string name, string sha) => new()
    {
        ["ref"] = name,
        ["node_id"] = $"REF_{sha[..12]}",
        ["url"] = $"{RepoApi}/git/{name}",
        ["object"] = new JsonObject { ["type"] = "commit", ["sha"] = sha, ["url"] = $"{RepoApi}/git/commits/{sha}" },
    };

    private JsonObject TreeJson(string sha) => new()
    {
        ["sha"] = sha,
        ["url"] = $"{RepoApi}/git/trees/{sha}",
        ["truncated"] = false,
        ["tree"] = new JsonArray([.. _git.Tree(sha)!.Select(e =>
        {
            // As GitHub does: a tree entry has no size at all, not a null one.
            var item = new JsonObject { ["path"] = e.Name, ["mode"] = e.Mode, ["type"] = e.Type, ["sha"] = e.Sha, ["url"] = $"{RepoApi}/git/{e.Type}s/{e.Sha}" };
            if (e.Type == "blob")
            {
                item["size"] = _git.Blob(e.Sha)?.Length ?? 0;
            }

            return (JsonNode)item;
        })]),
    };

    private JsonObject CommitJson(GitCommit commit)
    {
        var who = new JsonObject { ["name"] = "policy-response", ["email"] = "41898282+github-actions[bot]@users.noreply.github.com", ["date"] = commit.Date.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) };
        return new JsonObject
        {
            ["sha"] = commit.Sha,
            ["node_id"] = $"C_{commit.Sha[..12]}",
            ["url"] = $"{RepoApi}/git/commits/{commit.Sha}",
            ["html_url"] = $"{Html}/commit/{commit.Sha}",
            ["author"] = who,
            ["committer"] = who.DeepClone(),
            ["message"] = commit.Message,
            ["tree"] = new JsonObject { ["sha"] = commit.Tree, ["url"] = $"{RepoApi}/git/trees/{commit.Tree}" },
            ["parents"] = new JsonArray([.. commit.Parents.Select(p => (JsonNode)new JsonObject { ["sha"] = p, ["url"] = $"{RepoApi}/git/commits/{p}", ["html_url"] = $"{Html}/commit/{p}" })]),
            ["verification"] = new JsonObject { ["verified"] = false, ["reason"] = "unsigned", ["signature"] = null, ["payload"] = null, ["verified_at"] = null },
        };
    }
}
