using System.CommandLine;
using PolicyAction.Configuration;
using PolicyAction.Gates;
using PolicyAction.Output;
using PolicyAction.Processes;
using PolicyAction.Responses;
using PolicyAction.Safety;
using PolicyAction.State;

namespace PolicyAction.Cli;

/// <summary>The services one command needs, composed by hand for the workspace the command names.</summary>
internal sealed class CommandServices
{
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(30);

    private readonly string? _configOption;
    private readonly IProcessRunner _processes;
    private PolicyConfig? _config;

    private CommandServices(WorkspacePaths paths, string? configOption, RunContext context, TimeProvider clock, IProcessRunner processes, Reporter reporter)
    {
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

    public string ConfigPath => _configOption ?? ConfigLoader.DefaultPath(Paths.Root);

    public PolicyConfig Config => _config ??= ConfigLoader.Load(ConfigPath);

    public static CommandServices Create(ParseResult parsed, RunContext context, TimeProvider clock, IProcessRunner processes, Reporter reporter, string currentDirectory)
    {
        var workspaceOption = parsed.GetValue(CommandTree.WorkspaceOption);
        var workspace = !string.IsNullOrWhiteSpace(workspaceOption)
            ? Path.GetFullPath(workspaceOption, currentDirectory)
            : context.Variable("GITHUB_WORKSPACE") is { Length: > 0 } fromRunner
                ? Path.GetFullPath(fromRunner, currentDirectory)
                : currentDirectory;
        if (!Directory.Exists(workspace))
        {
            throw new UsageException($"workspace {workspace} does not exist (from {(workspaceOption is null ? "GITHUB_WORKSPACE" : "--workspace")})");
        }

        var config = parsed.GetValue(CommandTree.ConfigOption);
        var configPath = string.IsNullOrWhiteSpace(config) ? null : Path.GetFullPath(config, currentDirectory);
        return new CommandServices(new WorkspacePaths(workspace), configPath, context, clock, processes, reporter);
    }

    /// <summary>The same workspace with another reporter or configuration file (the action takes both from its inputs).</summary>
    public CommandServices With(Reporter reporter, string? configPath) =>
        new(Paths, configPath ?? _configOption, Context, Clock, _processes, reporter);

    /// <summary>The level given (by option or input), else the one the orchestration wrote to state/policy_state.json.</summary>
    /// <param name="source">How the level is given, for messages: "--policy" or "input 'policy'".</param>
    public PolicyLevel ResolveLevel(string? given, string source)
    {
        if (given is not null)
        {
            return PolicyLevels.TryParse(given, out var level)
                ? level
                : throw new UsageException($"{source} '{given}' is not a level; expected GREEN, YELLOW or RED");
        }

        var state = Store.ReadPolicyState()
            ?? throw new UsageException($"no {source} given and {Paths.Relative(Paths.PolicyState)} does not exist; give {source} GREEN|YELLOW|RED or let the orchestration workflow write the file");
        return PolicyLevels.TryParse(state.Level, out var fromState)
            ? fromState
            : throw new StateFileException(Paths.PolicyState, $"level '{state.Level}' is not GREEN, YELLOW or RED");
    }

    public WorkspaceLock LockWorkspace() => WorkspaceLock.Acquire(Paths.LockFile, LockWait);

    public ResponseService Responses(Reporter? reporter = null) => new(
        Store,
        Config,
        new GateEvaluator(Clock),
        new ExecutableResolver(Context.Variable("PATH"), Paths.Root),
        _processes,
        Clock,
        reporter ?? Reporter,
        Context);

    public UndoService Undo() => new(Store, Clock, Reporter, Context);

    public TrustGuard Trust() => new(Store, Clock, Reporter, Context);

    public SafetyBrake Brake() => new(Store, Clock, Reporter, Context);
}
