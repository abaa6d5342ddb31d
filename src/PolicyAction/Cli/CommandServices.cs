using System.CommandLine;
using PolicyAction.ActionHost;
using PolicyAction.Alerts;
using PolicyAction.Configuration;
using PolicyAction.Gates;
using PolicyAction.Orchestrator;
using PolicyAction.GitHub;
using PolicyAction.Output;
using PolicyAction.Processes;
using PolicyAction.Responses;
using PolicyAction.RunnerProtocol;
using PolicyAction.Safety;
using PolicyAction.State;

namespace PolicyAction.Cli;

/// <summary>
/// The composition root: the services one command needs, composed by hand for the workspace the command names. Command
/// bodies in <see cref="CommandTree"/> take what they need from it; nothing beyond the CLI is handed it.
/// </summary>
internal sealed class CommandServices
{
    public static readonly TimeSpan LockWait = ActionRun.LockWait;

    private readonly string? _configOption;
    private readonly IProcessRunner _processes;
    private PolicyConfig? _config;

    private CommandServices(WorkspacePaths paths, string? configOption, RunContext context, TimeProvider clock, IProcessRunner processes, Reporter reporter, CancellationToken cancellation)
    {
        Cancellation = cancellation;
        Paths = paths;
        _configOption = configOption;
        Context = context;
        Clock = clock;
        _processes = processes;
        Reporter = reporter;
        Store = new StateStore(paths);
    }

    public WorkspacePaths Paths { get; }

    public StateStore Store { get; }

    public RunContext Context { get; }

    public TimeProvider Clock { get; }

    public Reporter Reporter { get; }

    /// <summary>Cancelled by SIGTERM or Ctrl+C: ends waits that take no token of their own (the workspace lock).</summary>
    public CancellationToken Cancellation { get; }

    public string ConfigPath => _configOption ?? ConfigLoader.DefaultPath(Paths.Root);

    public PolicyConfig Config => _config ??= ConfigLoader.Load(ConfigPath);

    /// <param name="rule">How the workspace is found when neither --workspace nor GITHUB_WORKSPACE names it.</param>
    public static CommandServices Create(ParseResult parsed, RunContext context, TimeProvider clock, IProcessRunner processes, Reporter reporter, string currentDirectory, WorkspaceDiscovery.Rule rule, CancellationToken cancellation)
    {
        var workspaceOption = parsed.GetValue(CommandTree.WorkspaceOption);
        var config = parsed.GetValue(CommandTree.ConfigOption);
        var configGiven = !string.IsNullOrWhiteSpace(config);
        var current = Path.TrimEndingDirectorySeparator(Path.GetFullPath(currentDirectory));
        var (workspace, why) = !string.IsNullOrWhiteSpace(workspaceOption)
            ? new WorkspaceDiscovery.Found(Path.GetFullPath(workspaceOption, current), "from --workspace")
            : context.Variable("GITHUB_WORKSPACE") is { Length: > 0 } fromRunner
                ? new WorkspaceDiscovery.Found(Path.GetFullPath(fromRunner, current), "from GITHUB_WORKSPACE")
                : WorkspaceDiscovery.Find(current, rule, configGiven);
        if (!Directory.Exists(workspace))
        {
            throw new UsageException($"workspace {workspace} does not exist (from {(workspaceOption is null ? "GITHUB_WORKSPACE" : "--workspace")})");
        }

        // Relative to the workspace, as the action's 'config' input is: the same --config names the same file from any
        // folder. The workspace is found without it, so a path that only makes sense from the current folder is refused
        // rather than read from somewhere else, and the line below says which workspace it was read from.
        var relativeConfig = configGiven && !Path.IsPathRooted(config);
        var configPath = configGiven ? Path.GetFullPath(config!, workspace) : null;
        if (relativeConfig && Path.GetRelativePath(workspace, configPath!) is var inside
            && (inside == ".." || inside.StartsWith($"..{Path.DirectorySeparatorChar}", StringComparison.Ordinal) || Path.IsPathRooted(inside)))
        {
            throw new UsageException(
                $"--config {config} leaves the workspace {workspace} ({why}): a relative --config is read from the workspace, not from the current folder. "
                + "Give the path relative to the workspace, or an absolute path");
        }

        var discovered = string.IsNullOrWhiteSpace(workspaceOption) && context.Variable("GITHUB_WORKSPACE") is not { Length: > 0 };
        if (relativeConfig)
        {
            reporter.Error.WriteLine($"workspace: {workspace} ({why}); --config {config} is read from it: {configPath}");
        }
        else if (discovered && !string.Equals(workspace, current, StringComparison.Ordinal))
        {
            reporter.Error.WriteLine($"workspace: {workspace} ({why})");
        }

        return new CommandServices(new WorkspacePaths(workspace), configPath, context, clock, processes, reporter, cancellation);
    }

    /// <summary>The level given by --policy, else the one the orchestration wrote to state/policy_state.json.</summary>
    public PolicyLevel ResolveLevel(string? given) => PolicyLevelSource.Resolve(Store, given, "--policy");

    public WorkspaceLock LockWorkspace() => WorkspaceLock.Acquire(Paths.LockFile, LockWait, Paths.Root, Cancellation);

    public ResponseService Responses(Reporter? reporter = null) => Responses(Config, reporter ?? Reporter);

    public UndoService Undo() => new(Store, Clock, Reporter, Context);

    public TrustGuard Trust() => new(Store, Clock, Reporter, Context);

    public SafetyBrake Brake() => new(Store, Clock, Reporter, Context);

    public AlertService Alerts() => new(Store, Config.Alerts, Clock);

    /// <summary>The action: inputs and the GitHub context from the environment, workflow commands on, the token masked first.</summary>
    /// <param name="command">The stage to run; null reads the action's 'command' input (default run).</param>
    public (ActionRun Run, GitHubConnector GitHub) Action(string? command)
    {
        var environment = Context.Environment;
        var inputs = new ActionInputs(environment);

        // Mask the token before anything else is printed, so no later line can reveal it.
        if (inputs.GetString("github-token") is { } token)
        {
            Reporter.Output.WriteLine(WorkflowCommands.AddMask(token));
        }

        var reporter = new Reporter(Reporter.Output, Reporter.Error, workflowCommands: true);
        var settings = ActionSettings.Read(inputs, Context, command, Paths.Root);
        var context = ActionContext.FromEnvironment(environment);
        var config = new Lazy<PolicyConfig>(() => ConfigLoader.Load(settings.ConfigPath ?? ConfigPath));
        var github = new GitHubConnector(context.ApiUrl, settings.Token, context.Repository, settings.CommitBranch, context.DefaultBranch, Clock, reporter.Line)
        {
            WaitBudget = settings.GitHubWaitBudget,
            WriteInterval = settings.GitHubWriteInterval ?? RetryPolicy.Default.WriteInterval,
        };
        var run = new ActionRun(
            settings,
            context,
            Context,
            Store,
            new Lazy<ResponseService>(() => Responses(config.Value, reporter)),
            new Lazy<AlertService>(() => new AlertService(Store, config.Value.Alerts, Clock)),
            config,
            new Lazy<LevelEvaluation>(() => Evaluation(reporter, github)),
            github,
            Clock,
            reporter);
        return (run, github);
    }

    /// <summary>The orchestrator, its providers reading signals as actions run (commands) and through this run's GitHub connection.</summary>
    public LevelEvaluation Evaluation(Reporter reporter, GitHubConnector github) => new(SignalProviders(reporter, github), Store, Context, Clock);

    /// <summary>The connection the CLI's GitHub signals use: GITHUB_TOKEN (or GH_TOKEN) and GITHUB_REPOSITORY from the environment.</summary>
    public GitHubConnector CliGitHub() => new(
        Context.Variable("GITHUB_API_URL") ?? "https://api.github.com",
        Context.Variable("GITHUB_TOKEN") ?? Context.Variable("GH_TOKEN"),
        Context.Variable("GITHUB_REPOSITORY"),
        null,
        null,
        Clock,
        Reporter.Error.WriteLine);

    private IReadOnlyList<ISignalProvider> SignalProviders(Reporter reporter, GitHubConnector github) =>
    [
        new Orchestrator.Providers.CommandSignalProvider(new ExecutableResolver(Context.Variable("PATH"), Paths.Root), _processes, reporter, Context, Paths),
        new Orchestrator.Providers.FileSignalProvider(Paths, Clock),
        new Orchestrator.Providers.GitHubSignalProvider(
            async cancellationToken => github.HasToken
                ? (await github.ConnectAsync(cancellationToken).ConfigureAwait(false)).Forge
                : throw new UsageException("no github-token input (and no GITHUB_TOKEN or GH_TOKEN)"),
            Clock),
    ];

    private ResponseService Responses(PolicyConfig config, Reporter reporter) => new(
        Store,
        config,
        new GateEvaluator(),
        new ExecutableResolver(Context.Variable("PATH"), Paths.Root),
        _processes,
        Clock,
        reporter,
        Context);
}
