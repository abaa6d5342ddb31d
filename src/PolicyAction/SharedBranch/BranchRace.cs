namespace PolicyAction.SharedBranch;

/// <summary>
/// Pacing for runs that lost a fast-forward race on the shared branch. Without a pause, runs that lost together
/// re-read and collide together again; a random wait that grows with each loss (full jitter) spreads them out,
/// so a burst of concurrent runs lands one after another within the bounded number of attempts.
/// </summary>
internal static class BranchRace
{
    /// <summary>Attempts before giving up: enough for a burst of 8 runs committing at once, each losing to the others once.</summary>
    public const int MaxAttempts = 10;

    private const int FirstWindowMilliseconds = 100;
    private const int LongestWindowMilliseconds = 1600;

    /// <summary>Waits a random time in a window that doubles with each lost attempt (0-based), up to 1.6 s.</summary>
    public static Task BackoffAsync(int lostAttempts, CancellationToken cancellationToken)
    {
        var window = Math.Min(LongestWindowMilliseconds, FirstWindowMilliseconds << Math.Min(lostAttempts, 8));
        return Task.Delay(Random.Shared.Next(window), cancellationToken);
    }
}
