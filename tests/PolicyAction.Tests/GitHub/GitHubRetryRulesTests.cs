using System.Net;
using PolicyAction.GitHub;

namespace PolicyAction.Tests.GitHub;

public sealed class GitHubRetryRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 5, 0, 0, TimeSpan.Zero);

    private const string Secondary = """{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits","status":"403"}""";

    private static HttpResponseMessage Response(int status, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status);
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    [Theory]
    [InlineData("GET", "/repos/o/r/contents/state/log.jsonl", true)]
    [InlineData("HEAD", "/repos/o/r", true)]
    [InlineData("POST", "/repos/o/r/git/blobs", true)]
    [InlineData("POST", "/repos/o/r/git/trees", true)]
    [InlineData("POST", "/api/v3/repos/o/r/git/commits", true)]
    [InlineData("POST", "/repositories/42/git/trees", true)]
    [InlineData("PATCH", "/repos/o/r/issues/7", true)]
    [InlineData("POST", "/repos/o/r/issues", false)]
    [InlineData("POST", "/repos/o/r/issues/7/comments", false)]
    [InlineData("PUT", "/repos/o/r/contents/state/policy_response_log.jsonl", false)]
    [InlineData("PATCH", "/repos/o/r/git/refs/heads/main", false)]
    [InlineData("POST", "/repos/o/r/git/refs", false)]
    [InlineData("DELETE", "/repos/o/r/git/refs/heads/fix", false)]
    [InlineData("PATCH", "/repos/o/r/issues/7/comments", false)]
    public void Only_writes_whose_repetition_changes_nothing_are_resent_blindly(string method, string path, bool resend)
    {
        Assert.Equal(resend, GitHubRetryRules.MayResend(new HttpMethod(method), path));
    }

    public static TheoryData<int, (string, string)[], string?, string> Answers => new()
    {
        { 200, [], null, nameof(RetryReason.None) },
        { 404, [], null, nameof(RetryReason.None) },
        { 422, [], null, nameof(RetryReason.None) },
        { 403, [], """{"message":"Resource not accessible by integration"}""", nameof(RetryReason.None) },
        { 403, [("x-ratelimit-remaining", "4987")], Secondary, nameof(RetryReason.SecondaryRateLimit) },
        { 403, [], """{"message":"x","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}""", nameof(RetryReason.SecondaryRateLimit) },
        { 403, [("x-ratelimit-remaining", "0")], """{"message":"API rate limit exceeded for installation ID 1."}""", nameof(RetryReason.PrimaryRateLimit) },
        { 403, [], """{"message":"API rate limit exceeded for user ID 1."}""", nameof(RetryReason.PrimaryRateLimit) },
        { 429, [], """{"message":"Too many requests"}""", nameof(RetryReason.SecondaryRateLimit) },
        { 500, [], null, nameof(RetryReason.ServerError) },
        { 502, [], null, nameof(RetryReason.ServerError) },
        { 504, [], null, nameof(RetryReason.ServerError) },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void Rate_limits_are_told_by_message_and_documentation_link_not_only_headers(int status, (string, string)[] headers, string? body, string reason)
    {
        using var response = Response(status, headers);

        Assert.Equal(reason, GitHubRetryRules.Classify(status, response.Headers, body).ToString());
    }

    public static TheoryData<(string, string)[], int, double> Waits => new()
    {
        { [("retry-after", "7")], 0, 7 },
        { [("retry-after", "7")], 3, 7 },
        { [("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", Now.AddSeconds(30).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture))], 0, 31 },
        { [("x-ratelimit-remaining", "12"), ("x-ratelimit-reset", Now.AddSeconds(30).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture))], 0, 60 },
        { [], 0, 60 },
        { [], 1, 120 },
        { [], 2, 240 },
    };

    [Theory]
    [MemberData(nameof(Waits))]
    public void A_rate_limit_waits_as_github_asks_else_a_minute_doubling((string, string)[] headers, int secondaryMet, double seconds)
    {
        using var response = Response(403, headers);

        Assert.Equal(seconds, GitHubRetryRules.RateLimitWait(response.Headers, Now, RetryPolicy.Default, secondaryMet).TotalSeconds);
    }

    [Fact]
    public void Server_errors_back_off_doubling_unless_github_names_a_time()
    {
        using var plain = Response(502);
        using var named = Response(503, ("retry-after", "2"));

        Assert.Equal([1, 2, 4, 8], Enumerable.Range(1, 4).Select(a => GitHubRetryRules.ServerErrorWait(plain.Headers, Now, RetryPolicy.Default, a).TotalSeconds));
        Assert.Equal(2, GitHubRetryRules.ServerErrorWait(named.Headers, Now, RetryPolicy.Default, 1).TotalSeconds);
    }
}
