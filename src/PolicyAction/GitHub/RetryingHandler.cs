using System.Net.Http.Headers;
using PolicyAction.Forge;

namespace PolicyAction.GitHub;

/// <summary>How hard to try before giving up on GitHub.</summary>
/// <param name="AttemptTimeout">How long one request may take before it counts as failed (default 30 s).</param>
internal sealed record RetryPolicy(int MaxAttempts, TimeSpan MaxTotalWait, TimeSpan BaseDelay, TimeSpan MaxSingleWait, TimeSpan? AttemptTimeout = null)
{
    public static RetryPolicy Default { get; } = new(MaxAttempts: 5, MaxTotalWait: TimeSpan.FromMinutes(2), BaseDelay: TimeSpan.FromSeconds(1), MaxSingleWait: TimeSpan.FromSeconds(60));

    public TimeSpan Timeout => AttemptTimeout ?? TimeSpan.FromSeconds(30);
}

/// <summary>
/// Octokit has no retry: this handler sits under it. It sends one request at a time, retries server errors
/// (5xx) and rate-limit answers (403/429 that say so), honouring <c>retry-after</c> and <c>x-ratelimit-reset</c>,
/// within a bounded number of tries and a bounded total wait. A request that takes longer than the attempt timeout
/// is retried when it is a read; a write that timed out may still have taken effect, so it fails with a message
/// instead (a re-run finds its issue or commit rather than making a second). It logs method, path and status only,
/// never headers.
/// </summary>
internal sealed class RetryingHandler : DelegatingHandler
{
    private readonly RetryPolicy _policy;
    private readonly TimeProvider _clock;
    private readonly Action<string>? _log;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public RetryingHandler(HttpMessageHandler inner, RetryPolicy policy, TimeProvider clock, Action<string>? log = null)
        : base(inner)
    {
        _policy = policy;
        _clock = clock;
        _log = log;
    }

    /// <summary>Requests sent, including retries; the API budget tests count these.</summary>
    public int Sent { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The forge call's own token (Octokit passes none of its own): cancelling the run cancels the request and its waits.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, RequestCancellation.Current);
        cancellationToken = linked.Token;
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The body is read once so the request can be rebuilt for each try (a sent message cannot be re-sent).
            var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var waited = TimeSpan.Zero;
            for (var attempt = 1; ; attempt++)
            {
                using var copy = Copy(request, body);
                Sent++;
                HttpResponseMessage response;
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    timeout.CancelAfter(_policy.Timeout);
                    try
                    {
                        response = await base.SendAsync(copy, timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                    {
                        var backoff = Cap(TimeSpan.FromTicks(_policy.BaseDelay.Ticks * (1L << Math.Min(attempt - 1, 10))));
                        var idempotent = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head;
                        if (!idempotent || attempt >= _policy.MaxAttempts || waited + backoff > _policy.MaxTotalWait)
                        {
                            throw new ForgeException(
                                $"GitHub did not answer {request.Method} {request.RequestUri?.AbsolutePath} within {_policy.Timeout.TotalSeconds:0} s (try {attempt})"
                                + (idempotent ? string.Empty : "; it may still have taken effect, so it was not sent again. Re-run the job: it finds what was done instead of doing it twice"),
                                e);
                        }

                        _log?.Invoke($"GitHub {request.Method} {request.RequestUri?.AbsolutePath} did not answer within {_policy.Timeout.TotalSeconds:0} s; retry {attempt} of {_policy.MaxAttempts - 1} in {backoff.TotalSeconds:0.#} s");
                        await Task.Delay(backoff, _clock, cancellationToken).ConfigureAwait(false);
                        waited += backoff;
                        continue;
                    }
                }

                var delay = RetryDelay(response, attempt);
                if (delay is null || attempt >= _policy.MaxAttempts || waited + delay.Value > _policy.MaxTotalWait)
                {
                    if (delay is not null)
                    {
                        _log?.Invoke($"GitHub {request.Method} {request.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}; giving up after {attempt} tries and {waited.TotalSeconds:0} s of waiting");
                    }

                    return response;
                }

                _log?.Invoke($"GitHub {request.Method} {request.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}; retry {attempt} of {_policy.MaxAttempts - 1} in {delay.Value.TotalSeconds:0.#} s");
                response.Dispose();
                await Task.Delay(delay.Value, _clock, cancellationToken).ConfigureAwait(false);
                waited += delay.Value;
            }
        }
        finally
        {
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

    /// <summary>How long to wait before trying again, or null if this answer is final.</summary>
    internal TimeSpan? RetryDelay(HttpResponseMessage response, int attempt)
    {
        var status = (int)response.StatusCode;
        var backoff = TimeSpan.FromTicks(_policy.BaseDelay.Ticks * (1L << Math.Min(attempt - 1, 10)));
        var headers = response.Headers;

        if (status is 403 or 429)
        {
            if (RetryAfter(headers) is { } retryAfter)
            {
                return Cap(retryAfter);
            }

            if (Header(headers, "x-ratelimit-remaining") == "0" && long.TryParse(Header(headers, "x-ratelimit-reset"), out var reset))
            {
                var until = DateTimeOffset.FromUnixTimeSeconds(reset) - _clock.GetUtcNow();
                return Cap(until < TimeSpan.Zero ? TimeSpan.FromSeconds(1) : until + TimeSpan.FromSeconds(1));
            }

            // A 429 always means "slow down"; a plain 403 is a permission problem and final.
            return status == 429 ? Cap(backoff) : null;
        }

        if (status >= 500)
        {
            return Cap(RetryAfter(headers) ?? backoff);
        }

        return null;
    }

    private TimeSpan Cap(TimeSpan delay) => delay > _policy.MaxSingleWait ? _policy.MaxSingleWait : delay;

    private TimeSpan? RetryAfter(HttpResponseHeaders headers)
    {
        if (headers.RetryAfter is { Delta: { } delta })
        {
            return delta;
        }

        return headers.RetryAfter is { Date: { } date } ? date - _clock.GetUtcNow() : null;
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

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
}
