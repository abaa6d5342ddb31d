using PolicyAction;
using PolicyAction.Cli;
using PolicyAction.Processes;

// Parse, compose, run, return the exit code: everything else lives in CliApplication.
using var cancellation = new CancellationTokenSource();
using var signals = TerminationSignals.Register(cancellation, Console.Error);

var app = new CliApplication(
    RunContext.FromProcess(),
    TimeProvider.System,
    new ProcessRunner(reapOrphans: true),
    Console.Out,
    Console.Error,
    Environment.CurrentDirectory);
return await app.RunAsync(args, cancellation.Token);
