using PolicyAction.GitHub;
using PolicyAction.GitHubEmulator;

namespace PolicyAction.Tests.Support;

/// <summary>
/// The API double started with some files on <c>main</c>, and our Octokit client pointed at it over real HTTP.
/// Disposing checks that every exchange honoured GitHub's description.
/// </summary>
internal sealed class ClientAgainstTheDouble : IAsyncDisposable
{
    private readonly RetryingHandler _handler;

    private ClientAgainstTheDouble(PolicyAction.GitHubEmulator.GitHubEmulator github, RetryPolicy policy)
    {
        GitHub = github;
        _handler = new RetryingHandler(new HttpClientHandler(), policy, TimeProvider.System);
        Api = OctokitForge.Create(github.BaseAddress.ToString(), github.Options.Token, github.Repository, _handler);
    }

    public PolicyAction.GitHubEmulator.GitHubEmulator GitHub { get; }

    public OctokitForge Api { get; }

    public static async Task<ClientAgainstTheDouble> StartAsync(IReadOnlyDictionary<string, byte[]> files, RetryPolicy? policy = null) =>
        new(await PolicyAction.GitHubEmulator.GitHubEmulator.StartAsync(new DoubleOptions { Files = files }), policy ?? RetryPolicy.Default);

    public async ValueTask DisposeAsync()
    {
        _handler.Dispose();
        GitHub.AssertContractHonoured();
        await GitHub.DisposeAsync();
    }
}
