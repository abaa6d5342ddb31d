using System.CommandLine;
using PolicyAction.Output;
using PolicyAction.Processes;

namespace PolicyAction.Cli;

/// <summary>Parses the command line and runs one command; everything it needs from outside comes in through the constructor.</summary>
internal sealed class CliApplication
{
    private readonly RunContext _context;
    private readonly TimeProvider _clock;
    private readonly IProcessRunner _processes;
    private readonly Reporter _reporter;
    private readonly string _currentDirectory;
    private CancellationToken _cancellation;

    public CliApplication(RunContext context, TimeProvider clock, IProcessRunner processes, TextWriter output, TextWriter error, string currentDirectory)
    {
        _context = context;
        _clock = clock;
        _processes = processes;
        // Inside a runner, warnings and errors become annotations.
        _reporter = new Reporter(output, error, workflowCommands: context.InRunner);
        _currentDirectory = currentDirectory;
    }

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        _cancellation = cancellationToken;
        var commands = new CommandTree(this);
        var parsed = commands.Root.Parse(args);

        // No termination handling of System.CommandLine's: it swallows SIGTERM and waits for the command, which a
        // synchronous command never lets it do. Program cancels the token on SIGTERM and bounds the wait itself.
        var invocation = new InvocationConfiguration { Output = _reporter.Output, Error = _reporter.Error, ProcessTerminationTimeout = null };
        if (parsed.Errors.Count > 0 && parsed.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var message in UsageErrors.Describe(parsed))
            {
                _reporter.Failure(message);
            }

            _reporter.Error.WriteLine($"Run '{UsageErrors.CommandPath(parsed)} --help' for usage.");
            return ExitCodes.UsageOrStateError;
        }

        return await parsed.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a command body, turning the tool's exceptions into their exit codes and messages.</summary>
    /// <param name="workspace">How the workspace is found when neither --workspace nor GITHUB_WORKSPACE names it.</param>
    internal async Task<int> Guard(ParseResult parsed, Func<CommandServices, Task<int>> body, WorkspaceDiscovery.Rule workspace = WorkspaceDiscovery.Rule.HasConfiguration)
    {
        try
        {
            var services = CommandServices.Create(parsed, _context, _clock, _processes, _reporter, _currentDirectory, workspace, _cancellation);
            return await body(services).ConfigureAwait(false);
        }
        catch (PolicyActionException e)
        {
            _reporter.Failure(e.Message);
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _reporter.Failure("cancelled");
            return ExitCodes.ActionFailed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _reporter.Failure($"{e.Message}");
            return ExitCodes.ActionFailed;
        }
    }
}
