using PolicyAction.Configuration;

namespace PolicyAction.Responses;

/// <summary>An action as it will run: the configured argv with the program resolved to an absolute path.</summary>
internal sealed record PlannedAction(ActionDefinition Definition, string Executable)
{
    public string Id => Definition.Id;

    public IReadOnlyList<string> Arguments => Definition.Run.Skip(1).ToArray();

    public IReadOnlyList<string> CommandLine => [Executable, .. Arguments];
}

/// <summary>What a response would do for a level, and the digest a reviewer approves.</summary>
internal sealed record ResponsePlan(PolicyLevel Level, IReadOnlyList<PlannedAction> Actions, string Digest);
