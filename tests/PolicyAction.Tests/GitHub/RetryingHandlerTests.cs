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

    public static TheoryData<int, (string, string)[], double?> Answers => new()
    {
        { 200, [], null },
        { 201, [], null },
        { 404, [], null },
        { 422, [], null },
        { 401, [], null },
        { 403, [], null },
        { 403, [("retry-after", "7")], 7 },
        { 403, [("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", Now.AddSeconds(30).ToUnixTimeSeconds().ToString())], 31 },
        { 403, [("x-ratelimit-remaining", "12"), ("x-ratelimit-reset", Now.AddSeconds(30).ToUnixTimeSeconds().ToString())], null },
        { 429, [("retry-after", "3")], 3 },
        { 429, [], 1 },
        { 500, [], 1 },
        { 502, [], 1 },
        { 503, [("retry-after", "2")], 2 },
        { 429, [("retry-after", "3600")], 60 },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void Retries_only_server_errors_and_rate_limits_with_the_delay_github_asks_for(int status, (string, string)[] headers, double? seconds)
    {
        using var handler = Handler(_ => Response(200));
        using var response = Response(status, headers);

        var delay = handler.RetryDelay(response, attempt: 1);

        Assert.Equal(seconds, delay?.TotalSeconds);
    }

    [Fact]
    public void Backoff_doubles_with_each_attempt()
    {
        using var handler = Handler(_ => Response(200));
        using var response = Response(502);

        Assert.Equal([1, 2, 4, 8], Enumerable.Range(1, 4).Select(a => handler.RetryDelay(response, a)!.Value.TotalSeconds));
    }

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
            new RetryPolicy(5, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5)),
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
        using var handler = Handler(_ => Response(503), new RetryPolicy(3, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5)), log, realClock: true);
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
    public async Task Gives_up_when_the_next_wait_would_pass_the_total_budget()
    {
        using var handler = Handler(_ => Response(429, ("retry-after", "50")), new RetryPolicy(10, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5)));
        using var client = new HttpClient(handler);

        using var response = await client.GetAsync(new Uri("http://127.0.0.1/rate_limit"));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(1, handler.Sent);
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
