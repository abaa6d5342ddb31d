using System.Globalization;
using PolicyAction.Output;
using PolicyAction.Processes;
using PolicyAction.State;

namespace PolicyAction.Orchestrator.Providers;

/// <summary>
/// Reads <c>command</c> signals: runs the program as actions are run (an absolute executable from
/// <see cref="ExecutableResolver"/>, argv without a shell, the scrubbed environment plus <c>POLICY_SIGNAL_ID</c>, the
/// workspace as working directory, a timeout that kills the process tree, bounded capture), and takes its exit code,
/// the number it prints, or the value at a JSON pointer into what it prints. A command that cannot start, times out,
/// fails while its stdout is the value, or prints something else is unknown with the reason, never zero.
/// </summary>
/// <remarks>
/// Unlike an action, a signal's output is not streamed to the log: signals run at every evaluation, and a checker that
/// prints a line per file would bury the level in the log every day. Only when the command ends badly (unknown, or a
/// non-zero exit code) are the last lines of its output shown, fenced as untrusted, since that is when someone reads them.
/// </remarks>
internal sealed class CommandSignalProvider(ExecutableResolver resolver, IProcessRunner processes, Reporter reporter, RunContext context, WorkspacePaths paths) : ISignalProvider
{
    /// <summary>Stdout and stderr are each kept up to this many characters; a value read from a longer stdout is unknown.</summary>
    public const int MaxCapturedOutputChars = 1024 * 1024;

    /// <summary>How many of the last lines of each stream are shown when the command ends badly.</summary>
    public const int ShownLines = 10;

    private const int ShownLineChars = 300;

    // The tool runs one process at a time: as a child subreaper it kills every child it has once a process ends
    // (OrphanReaper), which would take a signal command running beside another for a leftover of it. So signals read
    // concurrently (the evaluator may) still run, and show their output, one after the other.
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    public bool Reads(SignalSource source) => source is CommandSource;

    public async Task<SignalReading> ReadAsync(SignalDefinition signal, CancellationToken cancellationToken)
    {
        if (signal.Source is not CommandSource source)
        {
            throw new ArgumentException($"signal {signal.Id} is not a command signal", nameof(signal));
        }

        if (source.Run.Count == 0)
        {
            return SignalReading.Unknown("the command is empty: command.run needs the program and its arguments");
        }

        var (executable, problem) = resolver.Resolve(source.Run[0]);
        if (executable is null)
        {
            return SignalReading.Unknown($"cannot run the command: {problem}");
        }

        var environment = ChildEnvironment.Build(context.Environment, new Dictionary<string, string>
        {
            ["POLICY_SIGNAL_ID"] = signal.Id,
        });
        var spec = new ProcessSpec(
            executable,
            source.Run.Skip(1).ToArray(),
            paths.Root,
            environment,
            TimeSpan.FromSeconds(source.TimeoutSeconds),
            MaxCapturedOutputChars);

        // Held until its output is shown too: fenced blocks of two signals interleaved would lift each other's fence.
        await OneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var outcome = await processes.RunAsync(spec, onOutputLine: null, cancellationToken).ConfigureAwait(false);
            var reading = Interpret(source, outcome);
            if (outcome.StraysKilled > 0)
            {
                // Left running, they would go on in the workspace unsupervised; the value the command gave stands.
                reporter.Warning($"signal {signal.Id}: {outcome.StraysKilled} process(es) its command left running were killed");
            }

            if (reading.IsUnknown || outcome.ExitCode is not (0 or null))
            {
                ShowTail(signal.Id, outcome);
            }

            return reading;
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    /// <summary>The value the outcome gives, as the source asks for it.</summary>
    internal static SignalReading Interpret(CommandSource source, ProcessOutcome outcome)
    {
        if (outcome.StartError is { } error)
        {
            return SignalReading.Unknown(error);
        }

        if (outcome.TimedOut)
        {
            return SignalReading.Unknown($"timed out after {source.TimeoutSeconds} s; its process tree was killed");
        }

        if (outcome.ExitCode is not { } exitCode)
        {
            return SignalReading.Unknown("the command ended without an exit code");
        }

        if (source.Value == CommandValue.ExitCode)
        {
            return SignalReading.Number(exitCode, $"exit code {exitCode.ToString(CultureInfo.InvariantCulture)}");
        }

        if (exitCode != 0)
        {
            // A failing command's stdout is an error report or half a result, not the value.
            var lastError = LastLine(outcome.Stderr) is { Length: > 0 } line ? $": '{SignalValues.Excerpt(line)}'" : string.Empty;
            return SignalReading.Unknown($"exited with code {exitCode.ToString(CultureInfo.InvariantCulture)}{lastError}; a value is read from stdout only when the command succeeds (exit code 0)");
        }

        if (outcome.StdoutTruncated)
        {
            return SignalReading.Unknown($"stdout is longer than {MaxCapturedOutputChars} characters; print only the value");
        }

        var stdout = outcome.Stdout.Trim();
        if (source.Value == CommandValue.Stdout)
        {
            return stdout.Length == 0 ? SignalReading.Unknown("stdout is empty; expected a number")
                : SignalValues.TryParseNumber(stdout, out var number) ? SignalReading.Number(number, "stdout")
                : SignalReading.Unknown($"stdout is not a number: '{SignalValues.Excerpt(stdout)}'");
        }

        if (stdout.Length == 0)
        {
            return SignalReading.Unknown("stdout is empty; expected a JSON document");
        }

        using var document = SignalValues.ParseJson(stdout, out var problem);
        return document is null
            ? SignalReading.Unknown($"stdout is not JSON ({problem}): '{SignalValues.Excerpt(stdout)}'")
            : SignalValues.NumberAt(document.RootElement, source.Pointer ?? string.Empty, "stdout");
    }

    /// <summary>The last lines of what the command printed, fenced so that nothing in them is taken as a workflow command.</summary>
    private void ShowTail(string signalId, ProcessOutcome outcome)
    {
        var streams = new[] { ("stdout", outcome.Stdout), ("stderr", outcome.Stderr) }
            .Select(s => (Stream: s.Item1, Lines: LastLines(s.Item2)))
            .Where(s => s.Lines.Length > 0)
            .ToArray();
        if (streams.Length == 0)
        {
            return;
        }

        reporter.Line($"{signalId}: the last lines its command printed:");
        using (reporter.Untrusted())
        {
            foreach (var (stream, lines) in streams)
            {
                foreach (var line in lines)
                {
                    reporter.ChildOutput(signalId, stream, line);
                }
            }
        }
    }

    private static string[] LastLines(string text) =>
        text.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.Trim().Length > 0)
            .TakeLast(ShownLines)
            .Select(line => line.Length > ShownLineChars ? line[..ShownLineChars] + "…" : line)
            .ToArray();

    private static string? LastLine(string text) => LastLines(text) is { Length: > 0 } lines ? lines[^1] : null;
}
