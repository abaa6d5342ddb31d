namespace PolicyAction.Output;

/// <summary>One way to show a moment to people: UTC, to the second, ISO 8601.</summary>
internal static class Times
{
    public static string Format(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") ?? "an unknown time";
}
