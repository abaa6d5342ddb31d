namespace PolicyAction;

/// <summary>The policy level: computed by the orchestrator (evaluate) or given by the team's workflow; what responses are planned for.</summary>
internal enum PolicyLevel
{
    Green,
    Yellow,
    Red,
}

internal static class PolicyLevels
{
    public static IReadOnlyList<string> Names { get; } = ["GREEN", "YELLOW", "RED"];

    public static string ToName(this PolicyLevel level) => level switch
    {
        PolicyLevel.Green => "GREEN",
        PolicyLevel.Yellow => "YELLOW",
        PolicyLevel.Red => "RED",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    /// <summary>Parses GREEN, YELLOW or RED in any case; anything else is not a level.</summary>
    public static bool TryParse(string? text, out PolicyLevel level)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "GREEN":
                level = PolicyLevel.Green;
                return true;
            case "YELLOW":
                level = PolicyLevel.Yellow;
                return true;
            case "RED":
                level = PolicyLevel.Red;
                return true;
            default:
                level = default;
                return false;
        }
    }
}
