using System.Diagnostics;
using PolicyAction.GitHub;

namespace PolicyAction.Tests.GitHub;

/// <summary>Octokit's clients take no token: the caller's reaches the HTTP request through RequestCancellation.</summary>
public class OctokitForgeCancellationTests
{
    /// <summary>Never answers until the request's own token is cancelled; says whether it was.</summary>
    private sealed class HangingHandler : HttpMessageHandler
    {
        public TaskCompletionSource<bool> Cancelled { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult(true);
                throw;
            }

            return new HttpResponseMessage(System.Net.HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Cancelling_a_call_cancels_the_request_under_it()
    {
        var inner = new HangingHandler();
        using var handler = new RetryingHandler(inner, RetryPolicy.Default, TimeProvider.System);
        var forge = OctokitForge.Create("http://127.0.0.1:9/", "token", "octo-org/octo-repo", handler);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => forge.GetDefaultBranchAsync(cancellation.Token));

        Assert.True(await inner.Cancelled.Task);
        // Well before the 30 s per-attempt timeout that would end it otherwise.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_cancelled_token_sends_nothing()
    {
        var inner = new HangingHandler();
        using var handler = new RetryingHandler(inner, RetryPolicy.Default, TimeProvider.System);
        var forge = OctokitForge.Create("http://127.0.0.1:9/", "token", "octo-org/octo-repo", handler);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => forge.ListIssuesAsync("policy-alert", new CancellationToken(canceled: true)));

        Assert.Equal(0, handler.Sent);
    }
}
