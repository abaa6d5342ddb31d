using PolicyAction.Forge;
using PolicyAction.Orchestrator.Providers.GitHubQueries;

namespace PolicyAction.Orchestrator.Providers;

/// <summary>
/// Reads <c>github:</c> signals through the forge seam. The forge is asked for lazily (a run without github signals
/// needs no token); when it cannot be had, or GitHub refuses or fails, the signal is unknown with the reason and the
/// permission its query needs, never zero.
/// </summary>
/// <param name="connect">Gives the forge; may throw a <see cref="PolicyActionException"/> (no token, no repository).</param>
internal sealed class GitHubSignalProvider(Func<CancellationToken, Task<IForge>> connect, TimeProvider clock, IReadOnlyList<GitHubSignalQuery>? queries = null) : ISignalProvider
{
    /// <summary>Every query, each naming its permission: the list the docs' permission table is made from.</summary>
    public static IReadOnlyList<GitHubSignalQuery> AllQueries { get; } =
    [
        new WorkflowRunsQuery(),
        OpenAlertsQuery.Dependabot,
        OpenAlertsQuery.CodeScanning,
        OpenAlertsQuery.SecretScanning,
        new CheckRunsQuery(),
        new CommitStatusQuery(),
        new LabelledIssuesQuery(),
    ];

    private readonly IReadOnlyList<GitHubSignalQuery> _queries = queries ?? AllQueries;
    private Task<string>? _defaultBranch;

    public bool Reads(SignalSource source) => source is GitHubSource;

    public async Task<SignalReading> ReadAsync(SignalDefinition signal, CancellationToken cancellationToken)
    {
        var source = (GitHubSource)signal.Source;
        var query = _queries.FirstOrDefault(q => q.Query == source.Query)
            ?? throw new InvalidOperationException($"no GitHub query reads '{source.Query}'");
        IForge forge;
        try
        {
            forge = await connect(cancellationToken).ConfigureAwait(false);
        }
        catch (PolicyActionException e)
        {
            return SignalReading.Unknown($"cannot reach GitHub ({e.Message}); this signal needs a github-token with {query.Permission.Describe()}");
        }

        try
        {
            return await query.ReadAsync(source, forge, () => _defaultBranch ??= forge.GetDefaultBranchAsync(cancellationToken), clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (ForgeRefusedException e)
        {
            return SignalReading.Unknown(Refused(e, query.Permission));
        }
        catch (ForgeException e)
        {
            return SignalReading.Unknown(e.Message);
        }
    }

    /// <summary>The refusal for people: GitHub's answer, then what to do about it.</summary>
    public static string Refused(ForgeRefusedException refusal, GitHubPermission permission)
    {
        var answer = $"GitHub answered {refusal.Status}: {refusal.ForgeMessage}";
        var accepts = refusal.AcceptedPermissions is { } accepted ? $" (GitHub accepts: {accepted})" : string.Empty;
        return refusal.Kind switch
        {
            RefusalKind.FeatureDisabled => $"{answer}; the feature is off for this repository: turn it on (Settings → Code security) or remove the signal",
            RefusalKind.MissingPermission => $"{answer}; the token needs {permission.Describe()}{accepts}",
            _ => $"{answer}; the workflow, ref or feature does not exist or the token cannot see it: check the signal, and that the token has {permission.Describe()}{accepts}",
        };
    }
}
