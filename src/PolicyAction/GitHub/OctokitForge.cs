using Octokit.Internal;
using Octokit;
using Polly;
using Polly.Retry;
using PolicyAction.Forge;
using PolicyAction.SharedBranch;

namespace PolicyAction.GitHub;

/// <summary><see cref="IForge"/> through Octokit, with <see cref="RetryingHandler"/> under it.</summary>
internal sealed class OctokitForge : IForge
{
    /// <summary>Tries of one write whose outcome GitHub left unknown and a read showed had not landed.</summary>
    public const int MaxWriteAttempts = 5;

    /// <summary>Tries of a ref update or creation that GitHub answers "Reference update failed".</summary>
    public const int MaxReferenceUpdateAttempts = 3;

    /// <summary>The contents API's media type that serves files of 1–100 MB too (as metadata; the bytes come from the blob API).</summary>
    private const string ObjectMediaType = "application/vnd.github.object+json";

    private readonly IGitHubClient _client;
    private readonly string _owner;
    private readonly string _name;
    private readonly Action<string>? _log;
    private readonly ResiliencePipeline _writes;
    private readonly ResiliencePipeline _referenceUpdates;

    public OctokitForge(IGitHubClient client, string repository, TimeProvider? clock = null, Action<string>? log = null)
    {
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == repository.Length - 1)
        {
            throw new UsageException($"'{repository}' is not an owner/name repository (GITHUB_REPOSITORY)");
        }

        _client = client;
        _log = log;
        _writes = Retries(clock, new PredicateBuilder().Handle<WriteOutcomeUnknownException>(), MaxWriteAttempts, "it had not landed; sending it again");

        // "Reference update failed": GitHub could not move the ref this time. A few more tries, then it is reported.
        _referenceUpdates = Retries(
            clock,
            new PredicateBuilder().Handle<ApiValidationException>(e => GitHubRefusals.Classify(e) == WriteRefusal.ReferenceUpdateFailed),
            MaxReferenceUpdateAttempts,
            "GitHub answered 'Reference update failed'; trying again");
        _owner = repository[..slash];
        _name = repository[(slash + 1)..];
        Repository = repository;
    }

    public string Repository { get; }

    /// <summary>Polly's retry for what <paramref name="handle"/> matches: 1 s, doubling, at most <paramref name="attempts"/> tries, each logged.</summary>
    private ResiliencePipeline Retries(TimeProvider? clock, PredicateBuilder<object> handle, int attempts, string retrying) =>
        new ResiliencePipelineBuilder { TimeProvider = clock ?? TimeProvider.System }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = handle,
                MaxRetryAttempts = attempts - 1,
                Delay = TimeSpan.FromSeconds(1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                OnRetry = args =>
                {
                    _log?.Invoke($"{retrying} (try {args.AttemptNumber + 2} of {attempts})");
                    return default;
                },
            })
            .Build();

    /// <summary>A client for <paramref name="apiUrl"/> (GITHUB_API_URL, so GitHub Enterprise Server works).</summary>
    public static OctokitForge Create(string apiUrl, string token, string repository, RetryingHandler handler, TimeProvider? clock = null, Action<string>? log = null)
    {
        var connection = new Connection(
            new ProductHeaderValue("policy-response", typeof(OctokitForge).Assembly.GetName().Version?.ToString() ?? "2"),
            new Uri(apiUrl.EndsWith('/') ? apiUrl : apiUrl + "/"),
            new InMemoryCredentialStore(new Credentials(token)),
            new HttpClientAdapter(() => handler),
            new SimpleJsonSerializer());
        return new OctokitForge(new GitHubClient(connection), repository, clock, log);
    }

    public Task<string> GetDefaultBranchAsync(CancellationToken cancellationToken) =>
        Call("reading the repository", cancellationToken, async () => (await _client.Repository.Get(_owner, _name).ConfigureAwait(false)).DefaultBranch);

    public Task<BranchTip?> GetBranchHeadAsync(string branch, CancellationToken cancellationToken) =>
        Call($"reading branch {branch}", cancellationToken, async () =>
        {
            try
            {
                // "Get a branch" answers with the commit and its tree in one request; Octokit's Branch model keeps
                // only the commit, so the tree is read from the response text (JsonDocument: no reflection, AOT-safe).
                var uri = new Uri($"repos/{_owner}/{_name}/branches/{EscapedSegments(branch)}", UriKind.Relative);
                var response = await _client.Connection.Get<Branch>(uri, null).ConfigureAwait(false);
                return TipOf(response.HttpResponse.Body as string ?? string.Empty, branch);
            }
            catch (NotFoundException)
            {
                return null;
            }
        });

    private static BranchTip TipOf(string body, string branch)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            var commit = document.RootElement.GetProperty("commit");
            return new BranchTip(
                commit.GetProperty("sha").GetString() ?? throw new KeyNotFoundException("commit.sha"),
                commit.GetProperty("commit").GetProperty("tree").GetProperty("sha").GetString() ?? throw new KeyNotFoundException("commit.commit.tree.sha"));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ForgeException($"GitHub's answer for branch {branch} did not name its commit and tree ({e.Message})", e);
        }
    }

    public Task<byte[]?> GetFileAsync(string commitSha, string path, CancellationToken cancellationToken) =>
        Call($"reading {path}", cancellationToken, async () => (await ReadFileAsync(commitSha, path).ConfigureAwait(false))?.Content);

    public Task<BranchFile> GetFileOnBranchAsync(string branch, string path, CancellationToken cancellationToken) =>
        Call($"reading {path} on {branch}", cancellationToken, async () => await ReadFileAsync(branch, path).ConfigureAwait(false) ?? BranchFile.Missing);

    /// <summary>
    /// A file at a ref through the contents API in the object media type, which GitHub serves for files up to 100 MB
    /// (the default one is refused over 1 MB by GitHub Enterprise Server). Content comes inline only up to 1 MB; above,
    /// it is empty with encoding "none" and the bytes come from the blob API. Null when there is no such file.
    /// </summary>
    private async Task<BranchFile?> ReadFileAsync(string reference, string path)
    {
        RepositoryContent file;
        try
        {
            var uri = new Uri($"repos/{_owner}/{_name}/contents/{EscapedSegments(path)}", UriKind.Relative);
            var response = await _client.Connection.Get<RepositoryContent>(uri, new Dictionary<string, string> { ["ref"] = reference }, ObjectMediaType).ConfigureAwait(false);
            file = response.Body;
        }
        catch (NotFoundException)
        {
            return null;
        }

        if (file.Type != ContentType.File)
        {
            throw new ForgeException($"{path} at {reference} is a {file.Type}, not a file");
        }

        if (file.Encoding == "base64" || (file.Size == 0 && string.IsNullOrEmpty(file.Encoding)))
        {
            return new BranchFile(Convert.FromBase64String(file.EncodedContent ?? string.Empty), file.Sha);
        }

        return new BranchFile(await ReadBlobAsync(file.Sha, $"{path} at {reference}").ConfigureAwait(false), file.Sha);
    }

    public Task<IReadOnlyList<TreeEntryInfo>?> GetTreeAsync(string treeSha, CancellationToken cancellationToken) =>
        Call($"reading tree {treeSha}", cancellationToken, async () =>
        {
            try
            {
                var tree = await _client.Git.Tree.Get(_owner, _name, treeSha).ConfigureAwait(false);
                if (tree.Truncated)
                {
                    throw new ForgeException($"GitHub truncated tree {treeSha} (too many entries to list)");
                }

                return (IReadOnlyList<TreeEntryInfo>?)[.. tree.Tree.Select(item => new TreeEntryInfo(item.Path, item.Type.StringValue, item.Mode, item.Sha))];
            }
            catch (NotFoundException)
            {
                return null;
            }
        });

    public Task<byte[]> GetBlobAsync(string blobSha, CancellationToken cancellationToken) =>
        Call($"reading blob {blobSha}", cancellationToken, () => ReadBlobAsync(blobSha, $"blob {blobSha}"));

    /// <summary>A blob through the Git Data API (files up to 100 MB), its bytes checked against its id.</summary>
    private async Task<byte[]> ReadBlobAsync(string blobSha, string what)
    {
        var blob = await _client.Git.Blob.Get(_owner, _name, blobSha).ConfigureAwait(false);
        var bytes = blob.Encoding.Value == EncodingType.Base64 ? Convert.FromBase64String(blob.Content) : System.Text.Encoding.UTF8.GetBytes(blob.Content);
        if (GitBlob.Sha(bytes) != blobSha)
        {
            throw new ForgeException($"GitHub served {what} as blob {blobSha}, but the bytes it sent hash to {GitBlob.Sha(bytes)}");
        }

        return bytes;
    }

    public Task<BranchTip?> TryPutFileAsync(string branch, string path, string? expectedBlobSha, byte[] content, string message, CancellationToken cancellationToken) =>
        Call($"committing {path} to {branch}", cancellationToken, async () =>
        {
            var uri = new Uri($"repos/{_owner}/{_name}/contents/{EscapedSegments(path)}", UriKind.Relative);
            var encoded = Convert.ToBase64String(content);
            object request = expectedBlobSha is null
                ? new CreateFileRequest(message, encoded, branch, convertContentToBase64: false)
                : new UpdateFileRequest(message, encoded, expectedBlobSha, branch, convertContentToBase64: false);
            try
            {
                return await WriteOnceAsync(
                    async () =>
                    {
                        var changed = await new ApiConnection(_client.Connection).Put<RepositoryContentChangeSet>(uri, request).ConfigureAwait(false);
                        return (BranchTip?)new BranchTip(changed.Commit.Sha, changed.Commit.Tree.Sha);
                    },
                    async () =>
                    {
                        // Landed when the branch holds exactly these bytes now; if it moved on, the re-sent write
                        // answers 409 and the caller reads the log and finds its own record there.
                        var now = await GetFileOnBranchAsync(branch, path, cancellationToken).ConfigureAwait(false);
                        return now.BlobSha == GitBlob.Sha(content) ? (true, await GetBranchHeadAsync(branch, cancellationToken).ConfigureAwait(false)) : (false, null);
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.StatusCode is System.Net.HttpStatusCode.Conflict or System.Net.HttpStatusCode.UnprocessableEntity)
            {
                switch (GitHubRefusals.Classify(e))
                {
                    case WriteRefusal.BranchProtected:
                        throw await ProtectedAsync(branch, e).ConfigureAwait(false);
                    case WriteRefusal.LostRace:
                    case WriteRefusal.Other when e.StatusCode == System.Net.HttpStatusCode.Conflict:
                        // 409: the file is no longer at that blob (or the branch moved); 422: someone created it meanwhile.
                        return null;
                    default:
                        throw;
                }
            }
            catch (NotFoundException)
            {
                throw new ForgeException($"branch {branch} does not exist in {Repository}; set the commit-branch input to an existing branch");
            }
        });

    public Task<BranchTip> CreateCommitAsync(BranchTip parent, IReadOnlyList<FileChange> changes, string message, CancellationToken cancellationToken) =>
        Call("committing artifacts", cancellationToken, async () =>
        {
            var tree = new NewTree { BaseTree = parent.TreeSha };
            foreach (var change in changes)
            {
                var item = new NewTreeItem { Path = change.Path, Mode = "100644", Type = TreeType.Blob };
                if (State.StrictUtf8.FirstInvalidByte(change.Content) is null)
                {
                    // Text goes inside the tree request: no request per file.
                    item.Content = System.Text.Encoding.UTF8.GetString(change.Content);
                }
                else
                {
                    item.Sha = (await _client.Git.Blob.Create(_owner, _name, new NewBlob
                    {
                        Content = Convert.ToBase64String(change.Content),
                        Encoding = EncodingType.Base64,
                    }).ConfigureAwait(false)).Sha;
                }

                tree.Tree.Add(item);
            }

            var newTree = await _client.Git.Tree.Create(_owner, _name, tree).ConfigureAwait(false);
            var commit = await _client.Git.Commit.Create(_owner, _name, new NewCommit(message, newTree.Sha, parent.CommitSha)).ConfigureAwait(false);
            return new BranchTip(commit.Sha, newTree.Sha);
        });

    public Task<bool> TryFastForwardAsync(string branch, string commitSha, CancellationToken cancellationToken) =>
        Call($"moving branch {branch}", cancellationToken, async () =>
        {
            try
            {
                // Built by hand like the read above: Octokit puts the ref into the path unescaped, so '#' or '%' in a name would change the request.
                var uri = new Uri($"repos/{_owner}/{_name}/git/refs/{HeadsPath(branch)}", UriKind.Relative);
                return await _referenceUpdates.ExecuteAsync(
                    async token => await WriteOnceAsync(
                        async () =>
                        {
                            await new ApiConnection(_client.Connection).Patch<Reference>(uri, new ReferenceUpdate(commitSha, force: false)).ConfigureAwait(false);
                            return true;
                        },
                        async () => ((await GetBranchHeadAsync(branch, token).ConfigureAwait(false))?.CommitSha == commitSha, true),
                        token).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (ApiValidationException e) when (GitHubRefusals.Classify(e) == WriteRefusal.LostRace)
            {
                // 422 "Update is not a fast forward": someone committed first; the caller re-reads and tries again.
                return false;
            }
            catch (ApiValidationException e) when (GitHubRefusals.Classify(e) == WriteRefusal.BranchProtected)
            {
                throw await ProtectedAsync(branch, e).ConfigureAwait(false);
            }
        });

    public Task<IReadOnlyList<IssueInfo>> ListIssuesAsync(string label, CancellationToken cancellationToken) =>
        Call($"listing issues labelled {label}", cancellationToken, async () =>
        {
            var request = new RepositoryIssueRequest { State = ItemStateFilter.All, SortProperty = IssueSort.Created, SortDirection = SortDirection.Descending };
            request.Labels.Add(label);
            var issues = await _client.Issue.GetAllForRepository(_owner, _name, request, new ApiOptions { PageSize = 100 }).ConfigureAwait(false);
            return (IReadOnlyList<IssueInfo>)issues.Where(i => i.PullRequest is null).Select(ToInfo).ToArray();
        });

    public Task<IssueInfo?> GetIssueAsync(int number, CancellationToken cancellationToken) =>
        Call($"reading issue #{number}", cancellationToken, async () =>
        {
            try
            {
                return ToInfo(await _client.Issue.Get(_owner, _name, number).ConfigureAwait(false));
            }
            catch (ApiException e) when (e.StatusCode is System.Net.HttpStatusCode.Gone or System.Net.HttpStatusCode.NotFound)
            {
                return (IssueInfo?)null;
            }
        });

    public Task<IssueInfo> CreateIssueAsync(string title, string body, IReadOnlyList<string> labels, IReadOnlyList<string> assignees, CancellationToken cancellationToken) =>
        Call("opening an alert issue", cancellationToken, async () =>
        {
            var issue = new NewIssue(title) { Body = body };
            foreach (var label in labels)
            {
                issue.Labels.Add(label);
            }

            foreach (var assignee in assignees)
            {
                issue.Assignees.Add(assignee);
            }

            return await WriteOnceAsync(
                async () =>
                {
                    try
                    {
                        return ToInfo(await _client.Issue.Create(_owner, _name, issue).ConfigureAwait(false));
                    }
                    catch (ApiValidationException e) when (e.ApiError?.Errors?.Any(error => error.Field == "assignees") ?? false)
                    {
                        // Nothing was opened; the caller decides whether to open it unassigned.
                        throw new AssigneesRefusedException(RefusedAssignees(e), e);
                    }
                },
                async () =>
                {
                    // The body carries the time it was made and the alert's fingerprint: the same body is this write.
                    var request = new RepositoryIssueRequest { State = ItemStateFilter.All, SortProperty = IssueSort.Created, SortDirection = SortDirection.Descending };
                    if (labels.Count > 0)
                    {
                        request.Labels.Add(labels[0]);
                    }

                    var recent = await _client.Issue.GetAllForRepository(_owner, _name, request, new ApiOptions { PageSize = 30, PageCount = 1 }).ConfigureAwait(false);
                    var landed = recent.FirstOrDefault(i => i.PullRequest is null && i.Body == body);
                    return landed is null ? (false, null!) : (true, ToInfo(landed));
                },
                cancellationToken).ConfigureAwait(false);
        });

    public Task<bool> SetIssueOpenAsync(int number, bool open, CancellationToken cancellationToken) =>
        Call($"{(open ? "reopening" : "closing")} issue #{number}", cancellationToken, () => UnlessGone(async () =>
        {
            // Only the fields that change: Octokit's IssueUpdate would also send "milestone": null, removing one a person set.
            var update = new Dictionary<string, object> { ["state"] = open ? "open" : "closed" };
            if (!open)
            {
                update["state_reason"] = "completed";
            }

            var uri = new Uri($"repos/{_owner}/{_name}/issues/{number}", UriKind.Relative);
            await new ApiConnection(_client.Connection).Patch<Issue>(uri, update).ConfigureAwait(false);
        }));

    public Task<bool> AddCommentAsync(int number, string body, CancellationToken cancellationToken) =>
        Call($"commenting on issue #{number}", cancellationToken, () => UnlessGone(async () =>
        {
            // A marker of its own, so a comment whose answer was lost can be found instead of posted twice.
            var marker = $"<!-- policy-response comment={Guid.NewGuid():N} -->";
            var since = DateTimeOffset.UtcNow.AddHours(-1);
            await WriteOnceAsync(
                async () =>
                {
                    await _client.Issue.Comment.Create(_owner, _name, number, $"{body}\n{marker}\n").ConfigureAwait(false);
                    return true;
                },
                async () =>
                {
                    var comments = await _client.Issue.Comment.GetAllForIssue(_owner, _name, number, new IssueCommentRequest { Since = since }).ConfigureAwait(false);
                    return (comments.Any(c => c.Body?.Contains(marker, StringComparison.Ordinal) ?? false), true);
                },
                cancellationToken).ConfigureAwait(false);
        }));

    public Task<IReadOnlyList<string>> ListBranchesAsync(string prefix, CancellationToken cancellationToken) =>
        Call($"listing branches under {prefix}", cancellationToken, async () =>
        {
            // Only the refs under the prefix, not every branch of the repository: matching-refs matches the start of a
            // name, so "heads/fix" also finds "fixture"; the full prefix is checked here.
            var start = prefix.TrimEnd('/');
            var uri = new Uri($"repos/{_owner}/{_name}/git/matching-refs/{(start.Length == 0 ? "heads" : HeadsPath(start))}", UriKind.Relative);
            var refs = await new ApiConnection(_client.Connection).GetAll<Reference>(uri).ConfigureAwait(false);
            return (IReadOnlyList<string>)refs
                .Select(r => r.Ref)
                .Where(r => r.StartsWith("refs/heads/", StringComparison.Ordinal))
                .Select(r => r["refs/heads/".Length..])
                .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
                .ToArray();
        });

    public Task<bool> CreateBranchAsync(string name, string commitSha, CancellationToken cancellationToken) =>
        Call($"creating branch {name}", cancellationToken, async () =>
        {
            try
            {
                return await _referenceUpdates.ExecuteAsync(
                    async token => await WriteOnceAsync(
                        async () =>
                        {
                            await _client.Git.Reference.Create(_owner, _name, new NewReference($"refs/heads/{name}", commitSha)).ConfigureAwait(false);
                            return true;
                        },
                        async () => await GetBranchHeadAsync(name, token).ConfigureAwait(false) is { } there ? (true, there.CommitSha == commitSha) : (false, false),
                        token).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (ApiValidationException e) when (GitHubRefusals.Classify(e) == WriteRefusal.AlreadyExists)
            {
                // It exists. Reuse it as it is; never reset a branch someone may have committed to.
                return false;
            }
            catch (ApiValidationException e) when (GitHubRefusals.Classify(e) == WriteRefusal.BranchProtected)
            {
                // A ruleset restricts creating branches of that name.
                throw await ProtectedAsync(name, e).ConfigureAwait(false);
            }
        });

    private const string JsonMediaType = "application/vnd.github+json";

    public Task<Listing<WorkflowRunInfo>> ListWorkflowRunsAsync(string workflow, DateTimeOffset createdSince, string? branch, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>
        {
            ["created"] = ">=" + createdSince.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["exclude_pull_requests"] = "true",
        };
        if (branch is not null)
        {
            parameters["branch"] = branch;
        }

        return ReadPagesAsync(
            $"reading the runs of workflow {workflow}",
            $"actions/workflows/{Uri.EscapeDataString(workflow)}/runs",
            parameters,
            SignalJsonContext.Default.WorkflowRunsPage,
            page => (page.WorkflowRuns ?? []).Select(r => new WorkflowRunInfo(r.Id, r.CreatedAt, r.Status ?? "unknown", r.Conclusion, r.HeadBranch)),
            cancellationToken);
    }

    public Task<Listing<SecurityAlertInfo>> ListOpenAlertsAsync(SecurityAlertKind kind, CancellationToken cancellationToken)
    {
        var open = new Dictionary<string, string> { ["state"] = "open" };
        return kind switch
        {
            SecurityAlertKind.Dependabot => ReadPagesAsync(
                "reading the Dependabot alerts",
                "dependabot/alerts",
                open,
                SignalJsonContext.Default.IReadOnlyListDependabotAlertJson,
                page => page.Select(a => new SecurityAlertInfo(a.Number, a.SecurityAdvisory?.Severity ?? a.SecurityVulnerability?.Severity)),
                cancellationToken),
            SecurityAlertKind.CodeScanning => ReadPagesAsync(
                "reading the code scanning alerts",
                "code-scanning/alerts",
                open,
                SignalJsonContext.Default.IReadOnlyListCodeScanningAlertJson,
                page => page.Select(a => new SecurityAlertInfo(a.Number, a.Rule?.SecuritySeverityLevel ?? a.Rule?.Severity)),
                cancellationToken),
            _ => ReadPagesAsync(
                "reading the secret scanning alerts",
                "secret-scanning/alerts",
                open,
                SignalJsonContext.Default.IReadOnlyListSecretScanningAlertJson,
                page => page.Select(a => new SecurityAlertInfo(a.Number, null)),
                cancellationToken),
        };
    }

    public Task<Listing<CheckRunInfo>> ListCheckRunsAsync(string reference, CancellationToken cancellationToken) =>
        ReadPagesAsync(
            $"reading the check runs of {reference}",
            $"commits/{Uri.EscapeDataString(reference)}/check-runs",
            [],
            SignalJsonContext.Default.CheckRunsPage,
            page => (page.CheckRuns ?? []).Select(c => new CheckRunInfo(c.Name ?? "?", c.Status ?? "unknown", c.Conclusion)),
            cancellationToken);

    public Task<Listing<CommitStatusInfo>> GetCombinedStatusAsync(string reference, CancellationToken cancellationToken) =>
        ReadPagesAsync(
            $"reading the commit status of {reference}",
            $"commits/{Uri.EscapeDataString(reference)}/status",
            [],
            SignalJsonContext.Default.CombinedStatusJson,
            page => (page.Statuses ?? []).Select(s => new CommitStatusInfo(s.Context ?? "?", s.State ?? "unknown")),
            cancellationToken);

    public Task<Listing<IssueInfo>> ListOpenIssuesAsync(string label, CancellationToken cancellationToken) =>
        ReadPagesAsync(
            $"listing open issues labelled {label}",
            "issues",
            new Dictionary<string, string> { ["state"] = "open", ["labels"] = label },
            SignalJsonContext.Default.IReadOnlyListIssueJson,
            page => page
                .Where(i => i.PullRequest is not { ValueKind: System.Text.Json.JsonValueKind.Object })
                .Select(i => new IssueInfo(i.Number, i.State == "open", i.Body, i.HtmlUrl ?? string.Empty, i.ClosedAt, i.UpdatedAt)
                {
                    Labels = [.. (i.Labels ?? []).Select(l => l.Name ?? string.Empty)],
                }),
            cancellationToken);

    /// <summary>
    /// Reads a list of the repository page by page: 100 a page, following GitHub's <c>Link</c> rel="next" (page
    /// numbers or cursors, whichever the endpoint uses) for at most <see cref="ListingBounds.MaxPages"/> pages. The body is
    /// parsed by source generation (AOT-safe), not by Octokit's models.
    /// </summary>
    private Task<Listing<T>> ReadPagesAsync<TPage, T>(
        string doing,
        string path,
        Dictionary<string, string> parameters,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TPage> type,
        Func<TPage, IEnumerable<T>> items,
        CancellationToken cancellationToken) =>
        Call(doing, cancellationToken, async () =>
        {
            parameters["per_page"] = ListingBounds.PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var read = new List<T>();
            Uri? next = new($"repos/{_owner}/{_name}/{path}", UriKind.Relative);
            IDictionary<string, string>? query = parameters;
            var requests = 0;
            while (next is not null && requests < ListingBounds.MaxPages)
            {
                IApiResponse<object> response;
                try
                {
                    response = await _client.Connection.Get<object>(next, query, JsonMediaType).ConfigureAwait(false);
                }
                catch (ApiException e) when (ReadRefusal(doing, e) is { } refused)
                {
                    throw refused;
                }

                requests++;
                var page = ParsePage(response.HttpResponse.Body as string, type, doing);
                read.AddRange(items(page));

                // The next page's URL carries every parameter (and the cursor); it is followed as GitHub gives it.
                next = response.HttpResponse.ApiInfo?.Links is { } links && links.TryGetValue("next", out var link) ? link : null;
                query = null;
            }

            return new Listing<T>(read, next is not null, requests);
        });

    private static TPage ParsePage<TPage>(string? body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TPage> type, string doing)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(body ?? "null", type) ?? throw new System.Text.Json.JsonException("the answer was empty");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ForgeException($"GitHub's answer while {doing} was not what its API describes ({e.Message})", e);
        }
    }

    /// <summary>Refusals GitHub sends when a feature is off for the repository, by message (status, message fragment).</summary>
    private static readonly (System.Net.HttpStatusCode Status, string Message)[] FeatureOffMessages =
    [
        (System.Net.HttpStatusCode.Forbidden, "Dependabot alerts are disabled"),
        (System.Net.HttpStatusCode.Forbidden, "Advanced Security must be enabled"),
        (System.Net.HttpStatusCode.Forbidden, "Code scanning is not enabled"),
        (System.Net.HttpStatusCode.NotFound, "no analysis found"),
        (System.Net.HttpStatusCode.NotFound, "Secret scanning is disabled"),
        (System.Net.HttpStatusCode.NotFound, "Code scanning is not enabled"),
    ];

    /// <summary>
    /// A read's 403 or 404 as a typed refusal: the feature is off (by GitHub's message), the token lacks a permission
    /// (GitHub names the ones it accepts in <c>X-Accepted-GitHub-Permissions</c>, or says "Resource not accessible"),
    /// or the thing cannot be seen. Null for anything else (a rate limit that outlasted the wait budget stays a failure).
    /// </summary>
    private static ForgeRefusedException? ReadRefusal(string doing, ApiException e)
    {
        if (e.StatusCode is not (System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.NotFound))
        {
            return null;
        }

        var message = GitHubRefusals.OneLine(e);
        if (message.Contains("rate limit", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var accepted = e.HttpResponse?.Headers?.FirstOrDefault(h => h.Key.Equals("X-Accepted-GitHub-Permissions", StringComparison.OrdinalIgnoreCase)).Value;
        accepted = string.IsNullOrWhiteSpace(accepted) ? null : accepted;
        var kind = FeatureOffMessages.Any(f => f.Status == e.StatusCode && message.Contains(f.Message, StringComparison.OrdinalIgnoreCase))
            ? RefusalKind.FeatureDisabled
            : e.StatusCode == System.Net.HttpStatusCode.Forbidden ? RefusalKind.MissingPermission : RefusalKind.NotFound;
        return new ForgeRefusedException(kind, (int)e.StatusCode, message, accepted, doing, e);
    }

    /// <summary>
    /// Sends a write once. When GitHub fails it without saying whether it landed (<see cref="WriteOutcomeUnknownException"/>),
    /// reads to learn: landed, and the run goes on as if it had succeeded; not landed, and it is sent again (Polly's
    /// retry, at most <see cref="MaxWriteAttempts"/> tries).
    /// </summary>
    private async Task<T> WriteOnceAsync<T>(Func<Task<T>> send, Func<Task<(bool Landed, T Value)>> landed, CancellationToken cancellationToken) =>
        await _writes.ExecuteAsync(
            async _ =>
            {
                try
                {
                    return await send().ConfigureAwait(false);
                }
                catch (WriteOutcomeUnknownException e)
                {
                    _log?.Invoke($"{e.Message}; reading whether it landed");
                    var (found, value) = await landed().ConfigureAwait(false);
                    if (found)
                    {
                        _log?.Invoke("it had landed; going on with it");
                        return value;
                    }

                    throw;
                }
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The refusal of a write to a protected branch, naming the rule: GitHub's message, and the rulesets that apply
    /// to the branch when they can be read (one request; classic protection rules are readable only by admins).
    /// </summary>
    private async Task<BranchProtectedException> ProtectedAsync(string branch, ApiException refusal)
    {
        var rule = $"{(int)refusal.StatusCode}: {GitHubRefusals.OneLine(refusal)}";
        try
        {
            var uri = new Uri($"repos/{_owner}/{_name}/rules/branches/{EscapedSegments(branch)}", UriKind.Relative);
            var response = await _client.Connection.Get<object>(uri, null).ConfigureAwait(false);
            using var rules = System.Text.Json.JsonDocument.Parse(response.HttpResponse.Body as string ?? "[]");
            var named = rules.RootElement.EnumerateArray()
                .Select(r => r.TryGetProperty("ruleset_id", out var id) ? $"{r.GetProperty("type").GetString()} (ruleset {id})" : r.GetProperty("type").GetString())
                .Distinct()
                .ToArray();
            if (named.Length > 0)
            {
                rule += $"; rules on the branch: {string.Join(", ", named)}";
            }
        }
        catch (Exception e) when (e is ApiException or HttpRequestException or System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException)
        {
            // Naming the rule is a courtesy; GitHub's own message already says what refused the write.
        }

        return new BranchProtectedException(branch, rule, refusal);
    }

    /// <summary><c>heads/NAME</c> for a URL path: every character of the name escaped except the '/' between its parts.</summary>
    private static string HeadsPath(string branch) => "heads/" + EscapedSegments(branch);

    private static string EscapedSegments(string branch) => string.Join('/', branch.Split('/').Select(Uri.EscapeDataString));

    /// <summary>
    /// Runs a request on one issue; false when the issue is gone. GitHub answers 410 for a deleted issue and 404 for
    /// one that was transferred away; the run has already read the repository, so a 404 here is about the issue.
    /// </summary>
    private static async Task<bool> UnlessGone(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
            return true;
        }
        catch (ApiException e) when (e.StatusCode is System.Net.HttpStatusCode.Gone or System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static IssueInfo ToInfo(Issue issue) =>
        new(issue.Number, issue.State.Value == ItemState.Open, issue.Body, issue.HtmlUrl, issue.ClosedAt, issue.UpdatedAt ?? issue.CreatedAt)
        {
            Labels = [.. (issue.Labels ?? []).Select(l => l.Name)],
            IsPullRequest = issue.PullRequest is not null,
        };

    /// <summary>
    /// Runs one Octokit call with the caller's token in <see cref="RequestCancellation"/>: Octokit's clients take no
    /// token, so the handler under them picks it up and a cancelled run stops waiting on GitHub.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1068", Justification = "The token beside the description keeps the multi-line call body last at every call site.")]
    private static async Task<T> Call<T>(string doing, CancellationToken cancellationToken, Func<Task<T>> call)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var scope = RequestCancellation.Use(cancellationToken);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            throw Refusal(doing, e);
        }
        catch (WriteOutcomeUnknownException e)
        {
            throw new ForgeException($"GitHub failed while {doing}, {MaxWriteAttempts} times, and each time a read showed it had not landed: {e.Message}", e);
        }
        catch (HttpRequestException e)
        {
            throw new ForgeException($"could not reach GitHub while {doing}: {e.Message}", e);
        }
    }

    /// <summary>The logins GitHub named in a 422 on <c>assignees</c> (Octokit's error details leave out the value).</summary>
    private static string RefusedAssignees(ApiValidationException e)
    {
        var logins = new List<string>();
        if (e.HttpResponse?.Body is string body)
        {
            try
            {
                using var document = System.Text.Json.JsonDocument.Parse(body);
                if (document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == System.Text.Json.JsonValueKind.Array)
                {
                    foreach (var error in errors.EnumerateArray())
                    {
                        if (error.ValueKind == System.Text.Json.JsonValueKind.Object && error.TryGetProperty("field", out var field) && field.ValueKind == System.Text.Json.JsonValueKind.String && field.GetString() == "assignees"
                            && error.TryGetProperty("value", out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String)
                        {
                            logins.Add(value.GetString()!);
                        }
                    }
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // Not JSON: GitHub's fields are named below without the logins.
            }
        }

        return logins.Count > 0 ? $"invalid assignee {string.Join(", ", logins)}" : "an assignee is invalid";
    }

    /// <summary>What GitHub's refusal means for the operator, by status.</summary>
    private static ForgeException Refusal(string doing, ApiException e) => e.StatusCode switch
    {
        System.Net.HttpStatusCode.Unauthorized =>
            new ForgeException($"GitHub rejected the token while {doing} (401): check the github-token input", e),
        System.Net.HttpStatusCode.Forbidden when e.ApiError?.Errors?.Any(error => error.Code == "too_large") ?? false =>
            new ForgeException($"GitHub refused {doing}: the file is too large for the API it was asked through (403 too_large: {e.Message})", e),
        System.Net.HttpStatusCode.Forbidden =>
            new ForgeException($"GitHub refused {doing} (403: {e.Message}); the job needs 'permissions: contents: write' (and 'issues: write' for alerts)", e),
        System.Net.HttpStatusCode.NotFound =>
            new ForgeException($"GitHub answered 404 while {doing}: the repository, branch or file does not exist, or the token cannot see it", e),
        _ => new ForgeException($"GitHub failed while {doing}: {(int)e.StatusCode} {e.Message}", e),
    };
}
