using Polly;
using Polly.Retry;
using Polly.Timeout;
using PolicyAction.Forge;

namespace PolicyAction.GitHub;

/// <summary>
/// Octokit has no retry: this handler sits under it. It sends one request at a time, paces content-creating requests,
/// and retries on Polly's retry and timeout strategies by <see cref="GitHubRetryRules"/>: server errors and timeouts
/// of requests that may be re-sent, rate limits of any request (GitHub refused them, so nothing landed), each within
/// the wait budget. A write that failed without saying whether it landed is not re-sent: it fails with
/// <see cref="WriteOutcomeUnknownException"/> so the caller can read whether it landed. It logs method, path and
/// status only, never headers or the query.
/// </summary>
internal sealed class RetryingHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<Attempts> AttemptsKey = new("policy-response.attempts");

    private readonly RetryPolicy _policy;
    private readonly TimeProvider _clock;
    private readonly Action<string>? _log;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private DateTimeOffset? _lastWriteEnd;

    public RetryingHandler(HttpMessageHandler inner, RetryPolicy policy, TimeProvider clock, Action<string>? log = null)
        : base(inner)
    {
        _policy = policy;
        _clock = clock;
        _log = log;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = int.MaxValue,
                UseJitter = false,
                ShouldHandle = args => ShouldRetryAsync(args.Context, args.Outcome, args.Context.CancellationToken),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Context.Properties.GetValue(AttemptsKey, null!).NextWait),
            })
            .AddTimeout(policy.AttemptTimeout)
            .Build();
    }

    /// <summary>Requests sent, including retries; the API budget tests count these.</summary>
    public int Sent { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The forge call's own token (Octokit passes none of its own): cancelling the run cancels the request and its waits.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, RequestCancellation.Current);
        cancellationToken = linked.Token;
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            // The body is read once so the request can be rebuilt for each try (a sent message cannot be re-sent).
            var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var attempts = new Attempts(request.Method, request.RequestUri?.AbsolutePath ?? "/");
            context.Properties.Set(AttemptsKey, attempts);
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                async (ctx, state) =>
                {
                    try
                    {
                        await PaceAsync(state.Request.Method, ctx.CancellationToken).ConfigureAwait(false);
                        using var copy = Copy(state.Request, state.Body);
                        Sent++;
                        state.Attempts.Tries++;
                        state.Attempts.LastSentAt = _clock.GetUtcNow();
                        return Outcome.FromResult(await base.SendAsync(copy, ctx.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception e)
                    {
                        return Outcome.FromException<HttpResponseMessage>(e);
                    }
                    finally
                    {
                        if (GitHubRetryRules.CreatesContent(state.Request.Method))
                        {
                            _lastWriteEnd = _clock.GetUtcNow();
                        }
                    }
                },
                context,
                (Request: request, Body: body, Attempts: attempts)).ConfigureAwait(false);

            return await FinalAsync(outcome, attempts, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
            _oneAtATime.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _oneAtATime.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The answer to hand Octokit, or the error that says what happened.</summary>
    private async Task<HttpResponseMessage> FinalAsync(Outcome<HttpResponseMessage> outcome, Attempts attempts, CancellationToken cancellationToken)
    {
        var doing = $"{attempts.Method} {attempts.Path}";
        if (outcome.Exception is { } error)
        {
            if (error is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw error;
            }

            var what = error is TimeoutRejectedException
                ? $"GitHub did not answer {doing} within {_policy.AttemptTimeout.TotalSeconds:0} s (try {attempts.Tries})"
                : $"the connection to GitHub failed during {doing} (try {attempts.Tries}): {error.Message}";
            if (!MayResend(attempts, error))
            {
                if (error is TimeoutRejectedException && attempts.LastSentAt + _policy.ServerTimeout - _clock.GetUtcNow() is { } inFlight && inFlight > TimeSpan.Zero)
                {
                    // GitHub may still be working on it: the caller's read must come after GitHub has given up.
                    await Task.Delay(inFlight, _clock, cancellationToken).ConfigureAwait(false);
                }

                throw new WriteOutcomeUnknownException($"{what}; it may still have taken effect, so it was not sent again", error);
            }

            throw new ForgeException(attempts.GaveUp ?? what, error);
        }

        var response = outcome.Result!;
        var status = (int)response.StatusCode;
        if (attempts.GaveUp is { } gaveUp)
        {
            _log?.Invoke(gaveUp);
            if (attempts.LastReason is RetryReason.PrimaryRateLimit or RetryReason.SecondaryRateLimit)
            {
                response.Dispose();
                throw new ForgeException(gaveUp);
            }
        }

        if (status >= 500 && !GitHubRetryRules.MayResend(attempts.Method, attempts.Path))
        {
            response.Dispose();
            throw new WriteOutcomeUnknownException($"GitHub answered {status} to {doing}; it may still have taken effect, so it was not sent again");
        }

        return response;
    }

    private async ValueTask<bool> ShouldRetryAsync(ResilienceContext context, Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken)
    {
        var attempts = context.Properties.GetValue(AttemptsKey, null!);
        var doing = $"GitHub {attempts.Method} {attempts.Path}";
        var now = _clock.GetUtcNow();
        if (outcome.Exception is { } error)
        {
            if (cancellationToken.IsCancellationRequested || error is not (TimeoutRejectedException or HttpRequestException) || !MayResend(attempts, error))
            {
                return false;
            }

            attempts.LastReason = RetryReason.ServerError;
            return Retry(attempts, GitHubRetryRules.ServerErrorWait(null, now, _policy, attempts.Tries), error is TimeoutRejectedException ? $"{doing} did not answer" : $"{doing} failed to connect");
        }

        var response = outcome.Result!;
        var status = (int)response.StatusCode;
        string? body = null;
        if (status is 403 or 429)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }

        var reason = GitHubRetryRules.Classify(status, response.Headers, body);
        attempts.LastReason = reason;
        switch (reason)
        {
            case RetryReason.ServerError when GitHubRetryRules.MayResend(attempts.Method, attempts.Path):
                return Retry(attempts, GitHubRetryRules.ServerErrorWait(response.Headers, now, _policy, attempts.Tries), $"{doing} answered {status}");
            case RetryReason.PrimaryRateLimit or RetryReason.SecondaryRateLimit:
                var limit = reason == RetryReason.SecondaryRateLimit ? "a secondary rate limit" : "the rate limit";
                var wait = GitHubRetryRules.RateLimitWait(response.Headers, now, _policy, attempts.SecondaryLimits);
                if (reason == RetryReason.SecondaryRateLimit)
                {
                    attempts.SecondaryLimits++;
                }

                return Retry(attempts, wait, $"{doing} met {limit} ({status})", rateLimited: true);
            default:
                return false;
        }
    }

    /// <summary>Schedules the next try when it fits the budget (and, for server errors, the number of tries).</summary>
    private bool Retry(Attempts attempts, TimeSpan wait, string what, bool rateLimited = false)
    {
        var budget = _policy.Budget;
        if (!rateLimited && attempts.Tries >= _policy.MaxServerErrorAttempts)
        {
            attempts.GaveUp = $"{what}; giving up after {attempts.Tries} tries and {attempts.Waited.TotalSeconds:0} s of waiting";
            return false;
        }

        if (attempts.Waited + wait > budget)
        {
            attempts.GaveUp = rateLimited
                ? $"{what}: GitHub asks to wait {Output.Durations.Format(wait)}, and {Output.Durations.Format(attempts.Waited)} of the wait budget of {Output.Durations.Format(budget)} is spent "
                  + "(the github-wait-budget input). Nothing was refused for lack of permission; re-run the job later, or give it a larger budget"
                : $"{what}; giving up after {attempts.Tries} tries and {attempts.Waited.TotalSeconds:0} s of waiting (the next wait would pass the budget of {Output.Durations.Format(budget)})";
            return false;
        }

        _log?.Invoke($"{what}; waiting {wait.TotalSeconds:0.#} s before try {attempts.Tries + 1} ({(attempts.Waited + wait).TotalSeconds:0} s of the {budget.TotalSeconds:0} s budget)");
        attempts.Waited += wait;
        attempts.NextWait = wait;
        return true;
    }

    /// <summary>Reads and re-sendable writes may be sent again; any request may be when it never reached GitHub.</summary>
    private static bool MayResend(Attempts attempts, Exception error) =>
        GitHubRetryRules.MayResend(attempts.Method, attempts.Path)
        || error is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };

    /// <summary>GitHub asks clients to leave a second between content-creating requests: counted from the previous one's answer.</summary>
    private async Task PaceAsync(HttpMethod method, CancellationToken cancellationToken)
    {
        if (GitHubRetryRules.CreatesContent(method) && _lastWriteEnd is { } last && last + _policy.WriteInterval - _clock.GetUtcNow() is { } wait && wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _clock, cancellationToken).ConfigureAwait(false);
        }
    }

    private static HttpRequestMessage Copy(HttpRequestMessage request, byte[]? body)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
        foreach (var (name, values) in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(name, values);
        }

        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var (name, values) in request.Content!.Headers)
            {
                copy.Content.Headers.TryAddWithoutValidation(name, values);
            }
        }

        return copy;
    }

    /// <summary>One request's tries so far.</summary>
    private sealed class Attempts(HttpMethod method, string path)
    {
        public HttpMethod Method { get; } = method;

        public string Path { get; } = path;

        public int Tries { get; set; }

        public DateTimeOffset LastSentAt { get; set; }

        public int SecondaryLimits { get; set; }

        public TimeSpan Waited { get; set; }

        public TimeSpan NextWait { get; set; }

        public RetryReason LastReason { get; set; }

        public string? GaveUp { get; set; }
    }
}
