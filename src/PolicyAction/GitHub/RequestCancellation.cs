namespace PolicyAction.GitHub;

/// <summary>
/// The token of the forge call in progress, for <see cref="RetryingHandler"/>: Octokit's clients take no
/// <see cref="CancellationToken"/>, so <see cref="OctokitForge"/> sets it here around each call and the handler
/// links it into every request it sends. An <see cref="AsyncLocal{T}"/> flows into Octokit's awaits and no further.
/// </summary>
internal static class RequestCancellation
{
    private static readonly AsyncLocal<CancellationToken> s_current = new();

    public static CancellationToken Current => s_current.Value;

    public static Scope Use(CancellationToken token)
    {
        var previous = s_current.Value;
        s_current.Value = token;
        return new Scope(previous);
    }

    /// <summary>Restores the token that was current before.</summary>
    internal readonly struct Scope(CancellationToken previous) : IDisposable
    {
        public void Dispose() => s_current.Value = previous;
    }
}
