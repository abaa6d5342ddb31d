using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace PolicyAction.GitHub;

/// <summary>How long the run may wait on GitHub, and how it paces its writes.</summary>
/// <param name="MaxServerErrorAttempts">Tries of one request while GitHub answers 5xx or does not answer (reads and re-sendable writes).</param>
/// <param name="Budget">The total wait of one request, rate limits included (the <c>github-wait-budget</c> input; default 5 minutes).</param>
/// <param name="BaseDelay">The first backoff after a server error; it doubles with each try.</param>
/// <param name="SecondaryLimitWait">The least wait after a secondary rate limit that names no time (GitHub: at least a minute); doubles after each.</param>
/// <param name="AttemptTimeout">How long one request may take before it counts as failed.</param>
/// <param name="WriteInterval">The least time from one content-creating request's answer to the next one (GitHub: a second).</param>
/// <param name="ServerGivesUpAfter">
/// How long GitHub itself works on a request before ending it (10 s): a write that timed out on our side is read back
/// no earlier than this after it was sent, so the read cannot miss a write still in flight.
/// </param>
internal sealed record RetryPolicy(
    int MaxServerErrorAttempts,
    TimeSpan Budget,
    TimeSpan BaseDelay,
    TimeSpan SecondaryLimitWait,
    TimeSpan AttemptTimeout,
    TimeSpan WriteInterval,
    TimeSpan? ServerGivesUpAfter = null)
{
    public TimeSpan ServerTimeout => ServerGivesUpAfter ?? TimeSpan.FromSeconds(10);

    public static RetryPolicy Default { get; } = new(
        MaxServerErrorAttempts: 5,
        Budget: TimeSpan.FromMinutes(5),
        BaseDelay: TimeSpan.FromSeconds(1),
        SecondaryLimitWait: TimeSpan.FromMinutes(1),
        AttemptTimeout: TimeSpan.FromSeconds(30),
        WriteInterval: TimeSpan.FromSeconds(1));
}

/// <summary>What a failed try means: wait and send again, or stop.</summary>
internal enum RetryReason
{
    None,
    ServerError,
    PrimaryRateLimit,
    SecondaryRateLimit,
}

/// <summary>
/// Our rules about GitHub's answers, in one place: which requests may be sent again when GitHub failed without saying
/// whether they took effect, how a rate limit is recognised and how long it asks to wait (GitHub's documented guidance
/// for primary and secondary rate limits). The mechanics (tries, delays, timeouts) are Polly's, in <see cref="RetryingHandler"/>.
/// </summary>
internal static partial class GitHubRetryRules
{
    /// <summary>
    /// Whether the request may be sent again after a 5xx, a timeout or a dropped connection, when it may have landed.
    /// Reads may; so may writes whose repetition changes nothing anyone sees (git blobs, trees and commits are content
    /// objects that nothing refers to until a ref moves; an issue's state set twice is set once). Creating an issue
    /// or a comment, a compare-and-swap file write and a ref update may not: the caller reads to learn whether it landed.
    /// </summary>
    public static bool MayResend(HttpMethod method, string path)
    {
        if (method == HttpMethod.Get || method == HttpMethod.Head)
        {
            return true;
        }

        var inRepository = RepositoryPath().Match(path);
        var rest = inRepository.Success ? inRepository.Groups["rest"].Value : string.Empty;
        if (method == HttpMethod.Post)
        {
            return rest is "git/blobs" or "git/trees" or "git/commits";
        }

        return method == HttpMethod.Patch && IssuePath().IsMatch(rest);
    }

    /// <summary>A content-creating request, which GitHub asks clients to space out.</summary>
    public static bool CreatesContent(HttpMethod method) =>
        method == HttpMethod.Post || method == HttpMethod.Put || method == HttpMethod.Patch || method == HttpMethod.Delete;

    /// <summary>
    /// A secondary rate limit, recognised by its message or documentation link (it often comes without
    /// <c>retry-after</c> and with requests remaining, so headers alone do not tell it from a permission refusal).
    /// </summary>
    public static bool IsSecondaryRateLimit(int status, string? body) =>
        status is 403 or 429 && body is not null
        && (body.Contains("secondary rate limit", StringComparison.OrdinalIgnoreCase) || body.Contains("secondary-rate-limits", StringComparison.OrdinalIgnoreCase));

    /// <summary>The primary limit: no requests left in the hour (or GitHub's message saying so).</summary>
    public static bool IsPrimaryRateLimit(int status, HttpResponseHeaders headers, string? body) =>
        status is 403 or 429
        && (Header(headers, "x-ratelimit-remaining") == "0" || (body?.Contains("API rate limit exceeded", StringComparison.OrdinalIgnoreCase) ?? false));

    /// <summary>What the answer is, for the retry decision.</summary>
    public static RetryReason Classify(int status, HttpResponseHeaders headers, string? body)
    {
        if (IsSecondaryRateLimit(status, body))
        {
            return RetryReason.SecondaryRateLimit;
        }

        if (IsPrimaryRateLimit(status, headers, body))
        {
            return RetryReason.PrimaryRateLimit;
        }

        if (status == 429)
        {
            // "Too many requests" without more: treated as a secondary limit (wait, never re-send at once).
            return RetryReason.SecondaryRateLimit;
        }

        return status >= 500 ? RetryReason.ServerError : RetryReason.None;
    }

    /// <summary>
    /// How long a rate limit asks to wait, by GitHub's guidance: <c>retry-after</c> when present; else, when no
    /// requests remain, until <c>x-ratelimit-reset</c>; else at least <see cref="RetryPolicy.SecondaryLimitWait"/>,
    /// doubling with each secondary limit met by the same request.
    /// </summary>
    /// <param name="secondaryLimitsMet">How many secondary limits this request met before this one.</param>
    public static TimeSpan RateLimitWait(HttpResponseHeaders headers, DateTimeOffset now, RetryPolicy policy, int secondaryLimitsMet)
    {
        if (RetryAfter(headers, now) is { } retryAfter)
        {
            return retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter;
        }

        if (Header(headers, "x-ratelimit-remaining") == "0" && long.TryParse(Header(headers, "x-ratelimit-reset"), out var reset))
        {
            var until = DateTimeOffset.FromUnixTimeSeconds(reset) - now;
            return until < TimeSpan.Zero ? TimeSpan.FromSeconds(1) : until + TimeSpan.FromSeconds(1);
        }

        return TimeSpan.FromTicks(policy.SecondaryLimitWait.Ticks * (1L << Math.Min(secondaryLimitsMet, 10)));
    }

    /// <summary>The backoff after the <paramref name="attempt"/>-th server error (or the server's <c>retry-after</c>).</summary>
    public static TimeSpan ServerErrorWait(HttpResponseHeaders? headers, DateTimeOffset now, RetryPolicy policy, int attempt) =>
        (headers is null ? null : RetryAfter(headers, now)) ?? TimeSpan.FromTicks(policy.BaseDelay.Ticks * (1L << Math.Min(attempt - 1, 10)));

    private static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.RetryAfter is { Delta: { } delta })
        {
            return delta;
        }

        return headers.RetryAfter is { Date: { } date } ? date - now : null;
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>A repository's API path in either form GitHub uses (<c>/repos/o/r/…</c>, or <c>/repositories/id/…</c> in Link URLs).</summary>
    [GeneratedRegex(@"/(?:repos/[^/]+/[^/]+|repositories/[0-9]+)/(?<rest>.*)$")]
    private static partial Regex RepositoryPath();

    [GeneratedRegex(@"^issues/[0-9]+$")]
    private static partial Regex IssuePath();
}
