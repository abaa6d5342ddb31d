using PolicyAction.Alerts;
using PolicyAction.Orchestrator;

namespace PolicyAction.Configuration;

/// <summary>The validated contents of <c>.github/policy-response.yml</c>.</summary>
internal sealed record PolicyConfig(
    string SourcePath,
    int Version,
    GateLimits Gates,
    IReadOnlyDictionary<PolicyLevel, IReadOnlyList<ActionDefinition>> Levels)
{
    public AlertSettings Alerts { get; init; } = AlertSettings.Default;

    /// <summary>The signals the orchestrator reads (<c>signals:</c>); none: the level is given, not computed.</summary>
    public IReadOnlyList<SignalDefinition> Signals { get; init; } = [];

    /// <summary>What unknown signals ask for and how long a calmer level must hold (<c>evaluation:</c>).</summary>
    public EvaluationSettings Evaluation { get; init; } = EvaluationSettings.Default;

    public IReadOnlyList<ActionDefinition> ActionsFor(PolicyLevel level) =>
        Levels.TryGetValue(level, out var actions) ? actions : [];
}

internal sealed record GateLimits(int MaxResponsesPer24Hours, int MaxManualUnlocksPerDay)
{
    public const int DefaultMaxResponsesPer24Hours = 10;
    public const int DefaultMaxManualUnlocksPerDay = 3;

    public static GateLimits Default { get; } = new(DefaultMaxResponsesPer24Hours, DefaultMaxManualUnlocksPerDay);
}

/// <summary>One configured action: an argv executed without a shell.</summary>
internal sealed record ActionDefinition(
    string Id,
    string? Description,
    IReadOnlyList<string> Run,
    int TimeoutSeconds,
    bool ContinueOnError,
    IReadOnlyList<string> ReversiblePaths,
    string? UndoInstruction)
{
    public const int DefaultTimeoutSeconds = 300;
    public const int MaxTimeoutSeconds = 6 * 60 * 60;

    public bool IsReversible => ReversiblePaths.Count > 0;
}
