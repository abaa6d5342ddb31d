using System.Net;
using Microsoft.Extensions.Time.Testing;
using PolicyAction.GitHub;

namespace PolicyAction.Tests.GitHub;

public class RetryingHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 5, 0, 0, TimeSpan.Zero);

    private static HttpResponseMessage Response(int status, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status);
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    // The fake clock fixes "now" for x-ratelimit-reset; tests that really wait use millisecond delays on the system clock.
    private static RetryingHandler Handler(Func<HttpRequestMessage, HttpResponseMessage> answer, RetryPolicy? policy = null, List<string>? log = null, bool realClock = false) =>
        new(new Scripted(answer), policy ?? RetryPolicy.Default, realClock ? TimeProvider.System : new FakeTimeProvider(Now), log is null ? null : log.Add);

    /// <summary>Quick: millisecond waits on the system clock.</summary>
    private static RetryPolicy Quick(int attempts = 5, double budgetSeconds = 60) =>
        new(attempts, TimeSpan.FromSeconds(budgetSeconds), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(30), TimeSpan.Zero);

    [Fact]
    public async Task Resends_the_same_request_with_its_body_until_it_succeeds()
    {
        var bodies = new List<string>();
        var answers = new Queue<int>([502, 500, 201]);
        using var handler = Handler(
            request =>
            {
                bodies.Add(request.Content!.ReadAsStringAsync().Result + "|" + request.Headers.Authorization);
                return Response(answers.Dequeue());
            },
            Quick(),
            realClock: true);
        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/repos/o/r/git/blobs") { Content = new StringContent("{\"content\":\"x\"}") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("token", "secret");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(3, handler.Sent);
        Assert.All(bodies, b => Assert.Equal("{\"content\":\"x\"}|token secret", b));
    }

    [Fact]
    public async Task Gives_up_after_the_bounded_number_of_tries_and_never_logs_the_token()
    {
        var log = new List<string>();
        using var handler = Handler(_ => Response(503), Quick(attempts: 3), log, realClock: true);
        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/repos/o/r?access_token=leak");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("token", "ghs_secret");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, handler.Sent);
        Assert.Contains(log, l => l.Contains("giving up after 3 tries", StringComparison.Ordinal));
        Assert.All(log, l => Assert.DoesNotContain("secret", l, StringComparison.Ordinal));
        Assert.All(log, l => Assert.DoesNotContain("leak", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_error_on_a_write_that_may_have_landed_is_not_resent()
    {
        using var handler = Handler(_ => Response(502), Quick(), realClock: true);
        using var client = new HttpClient(handler);

        var error = await Assert.ThrowsAsync<PolicyAction.Forge.WriteOutcomeUnknownException>(() => client.PostAsync(new Uri("http://127.0.0.1/repos/o/r/issues"), new StringContent("{}")));

        Assert.Contains("answered 502 to POST /repos/o/r/issues", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, handler.Sent);
    }

    [Fact]
    public async Task A_dropped_connection_is_retried_for_a_read_and_reported_for_a_write()
    {
        var tries = 0;
        using var handler = Handler(_ => ++tries < 2 ? throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.") : Response(200), Quick(), realClock: true);
        using var client = new HttpClient(handler);

        using var read = await client.GetAsync(new Uri("http://127.0.0.1/repos/o/r"));
        tries = 0;
        var write = await Assert.ThrowsAsync<PolicyAction.Forge.WriteOutcomeUnknownException>(() => client.PutAsync(new Uri("http://127.0.0.1/repos/o/r/contents/a"), new StringContent("{}")));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Contains("connection to GitHub failed during PUT /repos/o/r/contents/a", write.Message, StringComparison.Ordinal);
        Assert.Equal(3, handler.Sent);
    }

    [Fact]
    public async Task A_bare_secondary_rate_limit_is_waited_out_a_minute_then_doubling_even_for_a_write()
    {
        var clock = new FakeTimeProvider(Now);
        var log = new List<string>();
        var answers = new Queue<HttpResponseMessage>([SecondaryLimit(), SecondaryLimit(), Response(201)]);
        using var handler = new RetryingHandler(new Scripted(_ => answers.Dequeue()), RetryPolicy.Default, clock, log.Add);
        using var client = new HttpClient(handler);

        var sending = client.PostAsync(new Uri("http://127.0.0.1/repos/o/r/issues"), new StringContent("{}"));
        while (!sending.IsCompleted)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }

        using var response = await sending;
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(3, handler.Sent);
        Assert.InRange(clock.GetUtcNow() - Now, TimeSpan.FromSeconds(180), TimeSpan.FromSeconds(185));
        Assert.Contains(log, l => l.Contains("met a secondary rate limit (403); waiting 60 s", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("waiting 120 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rate_limit_past_the_budget_fails_saying_so_not_asking_for_permissions()
    {
        using var handler = Handler(_ => SecondaryLimit(), Quick() with { Budget = TimeSpan.FromSeconds(30), SecondaryLimitWait = TimeSpan.FromMinutes(1) });
        using var client = new HttpClient(handler);

        var error = await Assert.ThrowsAsync<PolicyAction.Forge.ForgeException>(() => client.GetAsync(new Uri("http://127.0.0.1/repos/o/r")));

        Assert.Contains("secondary rate limit", error.Message, StringComparison.Ordinal);
        Assert.Contains("github-wait-budget", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("contents: write", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, handler.Sent);
    }

    [Fact]
    public async Task Gives_up_when_the_next_wait_would_pass_the_total_budget()
    {
        using var handler = Handler(_ => Response(503, ("retry-after", "50")), Quick(attempts: 10, budgetSeconds: 30));
        using var client = new HttpClient(handler);

        using var response = await client.GetAsync(new Uri("http://127.0.0.1/rate_limit"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, handler.Sent);
    }

    [Fact]
    public async Task Content_creating_requests_are_spaced_by_the_write_interval()
    {
        var starts = new List<DateTimeOffset>();
        using var handler = Handler(
            _ =>
            {
                starts.Add(DateTimeOffset.UtcNow);
                return Response(201);
            },
            Quick() with { WriteInterval = TimeSpan.FromMilliseconds(300) },
            realClock: true);
        using var client = new HttpClient(handler);

        for (var i = 0; i < 3; i++)
        {
            using var _ = await client.PostAsync(new Uri("http://127.0.0.1/repos/o/r/git/blobs"), new StringContent("{}"));
        }

        using var read = await client.GetAsync(new Uri("http://127.0.0.1/repos/o/r"));
        Assert.All(starts.Zip(starts.Skip(1)).Take(2), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromMilliseconds(290), $"{(pair.Second - pair.First).TotalMilliseconds} ms apart"));
        Assert.True(starts[3] - starts[2] < TimeSpan.FromMilliseconds(250), "a read is not paced");
    }

    private static HttpResponseMessage SecondaryLimit()
    {
        var response = Response(403, ("x-ratelimit-remaining", "4987"));
        response.Content = new StringContent("""{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits","status":"403"}""");
        return response;
    }

    [Fact]
    public async Task Sends_one_request_at_a_time()
    {
        var inFlight = 0;
        var most = 0;
        using var handler = Handler(_ =>
        {
            most = Math.Max(most, Interlocked.Increment(ref inFlight));
            Thread.Sleep(20);
            Interlocked.Decrement(ref inFlight);
            return Response(200);
        });
        using var client = new HttpClient(handler);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.GetAsync(new Uri($"http://127.0.0.1/{i}"))));

        Assert.Equal(1, most);
    }

    private sealed class Scripted(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }
}
