namespace PolicyAction.Configuration;

/// <summary>The <c>gates:</c> section: the limits of the two counting gates.</summary>
internal static class GatesSection
{
    public static GateLimits Validate(GatesDocument? document, ConfigProblems problems)
    {
        if (document is null)
        {
            return GateLimits.Default;
        }

        var maxResponses = document.MaxResponsesPer24Hours ?? GateLimits.DefaultMaxResponsesPer24Hours;
        var maxUnlocks = document.MaxManualUnlocksPerDay ?? GateLimits.DefaultMaxManualUnlocksPerDay;
        if (maxResponses < 0)
        {
            problems.Report("gates.max_responses_per_24h", "must be 0 or more");
        }

        if (maxUnlocks < 0)
        {
            problems.Report("gates.max_manual_unlocks_per_day", "must be 0 or more");
        }

        return new GateLimits(maxResponses, maxUnlocks);
    }
}
