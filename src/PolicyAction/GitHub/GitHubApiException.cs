namespace PolicyAction.GitHub;

/// <summary>GitHub refused or failed a request after retries; the message says what to fix. Exit 1: local state is intact.</summary>
internal sealed class GitHubApiException : PolicyActionException
{
    public GitHubApiException(string message, Exception? innerException = null)
        : base(ExitCodes.ActionFailed, message, innerException)
    {
    }

    public static GitHubApiException From(string doing, Octokit.ApiException e) => e.StatusCode switch
    {
        System.Net.HttpStatusCode.Unauthorized =>
            new($"GitHub rejected the token while {doing} (401): check the github-token input", e),
        System.Net.HttpStatusCode.Forbidden =>
            new($"GitHub refused {doing} (403: {e.Message}); the job needs 'permissions: contents: write' (and 'issues: write' for alerts)", e),
        System.Net.HttpStatusCode.NotFound =>
            new($"GitHub answered 404 while {doing}: the repository, branch or file does not exist, or the token cannot see it", e),
        _ => new($"GitHub failed while {doing}: {(int)e.StatusCode} {e.Message}", e),
    };
}
