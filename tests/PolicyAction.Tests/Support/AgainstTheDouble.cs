using PolicyAction.GitHubEmulator;

namespace PolicyAction.Tests.Support;

/// <summary>
/// Base for end-to-end tests that need a fresh API double per test, seeded with the example workspace
/// (or the files a class chooses). After each test every exchange must have honoured GitHub's description.
/// </summary>
public abstract class AgainstTheDouble : IAsyncLifetime
{
    protected PolicyAction.GitHubEmulator.GitHubEmulator GitHubDouble { get; private set; } = null!;

    /// <summary>The files on <c>main</c> when the double starts.</summary>
    protected virtual Dictionary<string, byte[]> InitialFiles() => DoubleWorkspace.ExampleFiles();

    public virtual async Task InitializeAsync() =>
        GitHubDouble = await PolicyAction.GitHubEmulator.GitHubEmulator.StartAsync(new DoubleOptions { Files = InitialFiles() });

    public virtual async Task DisposeAsync()
    {
        GitHubDouble.AssertContractHonoured();
        await GitHubDouble.DisposeAsync();
    }
}
