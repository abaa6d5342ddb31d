namespace PolicyAction.Configuration;

/// <summary>One problem in a configuration file, with the position it was found at (1-based).</summary>
internal sealed record ConfigProblem(string File, int? Line, int? Column, string Field, string Message)
{
    public override string ToString()
    {
        var where = Line is { } line ? $"{File}:{line}:{Column ?? 1}" : File;
        return Field.Length == 0 ? $"{where}: {Message}" : $"{where}: {Field}: {Message}";
    }
}

/// <summary>The configuration is missing or invalid (exit 2); every problem found is listed.</summary>
internal sealed class ConfigurationException : PolicyActionException
{
    public ConfigurationException(IReadOnlyList<ConfigProblem> problems)
        : base(ExitCodes.UsageOrStateError, Format(problems))
    {
        Problems = problems;
    }

    public ConfigurationException(string message)
        : base(ExitCodes.UsageOrStateError, message)
    {
        Problems = [];
    }

    public IReadOnlyList<ConfigProblem> Problems { get; }

    private static string Format(IReadOnlyList<ConfigProblem> problems) =>
        problems.Count == 1
            ? $"invalid configuration: {problems[0]}"
            : $"invalid configuration ({problems.Count} problems):{Environment.NewLine}  "
              + string.Join($"{Environment.NewLine}  ", problems);
}
