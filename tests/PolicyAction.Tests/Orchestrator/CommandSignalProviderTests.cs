using System.Diagnostics;
using PolicyAction.Orchestrator;
using PolicyAction.Orchestrator.Providers;
using PolicyAction.Output;
using PolicyAction.Processes;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Orchestrator;

/// <summary>
/// Command signals run real processes as actions do (resolved program, argv, scrubbed environment, the workspace as
/// working directory, a timeout): their exit code, a number on stdout or a JSON pointer into it is the value, and every
/// way a command can fail to give one is unknown with the reason, never zero.
/// </summary>
public sealed class CommandSignalProviderTests : IDisposable
{
    private const string SearchPath = "/usr/bin:/bin";

    private readonly TempWorkspace _workspace = new();
    private readonly StringWriter _output = new();

    public void Dispose()
    {
        _workspace.Dispose();
        _output.Dispose();
    }

    private CommandSignalProvider Provider(Dictionary<string, string>? environment = null, bool workflowCommands = false) => new(
        new ExecutableResolver(SearchPath, _workspace.Root),
        new ProcessRunner(),
        new Reporter(_output, _output, workflowCommands),
        RunContext.FromVariables(environment ?? new Dictionary<string, string> { ["PATH"] = SearchPath }),
        new WorkspacePaths(_workspace.Root));

    private static SignalDefinition Signal(CommandSource source, string id = "probe") =>
        new(id, null, source, null, SignalCondition("!= 0"), Persistence.Immediately, false, null);

    private static Condition SignalCondition(string text) => Condition.TryParse(text, out _)!;

    private static CommandSource Shell(string script, CommandValue value = CommandValue.ExitCode, string? pointer = null, int timeoutSeconds = 20) =>
        new(["/bin/sh", "-c", script], timeoutSeconds, value, pointer);

    private Task<SignalReading> ReadAsync(CommandSource source, string id = "probe", Dictionary<string, string>? environment = null, bool workflowCommands = false) =>
        Provider(environment, workflowCommands).ReadAsync(Signal(source, id), CancellationToken.None);

    private static void AssertUnknown(SignalReading reading, string reason)
    {
        Assert.True(reading.IsUnknown, $"expected unknown, got {reading.Display} ({reading.Detail})");
        Assert.Null(reading.Value);
        Assert.Equal(reason, reading.UnknownReason);
    }

    [Fact]
    public void It_reads_command_signals_only()
    {
        var provider = Provider();

        Assert.True(provider.Reads(Shell("true")));
        Assert.False(provider.Reads(new FileSource("report.json", FileMeasure.Number, "/failed")));
        Assert.False(provider.Reads(new GitHubSource(GitHubQuery.Issues, Label: "incident")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(255)]
    public async Task The_exit_code_is_the_value(int code)
    {
        var reading = await ReadAsync(Shell($"exit {code}"));

        Assert.Equal(code, reading.Value);
        Assert.Equal($"exit code {code}", reading.Detail);
    }

    [Fact]
    public async Task A_bare_program_name_is_found_on_path_outside_the_workspace()
    {
        var reading = await ReadAsync(new CommandSource(["sh", "-c", "exit 4"], 20, CommandValue.ExitCode, null));

        Assert.Equal(4, reading.Value);
    }

    [Theory]
    [InlineData("printf '42'", 42)]
    [InlineData("printf '  42.5\\n\\n'", 42.5)]
    [InlineData("echo -3", -3)]
    [InlineData("echo 1e3", 1000)]
    [InlineData("echo 0", 0)]
    public async Task A_number_on_stdout_is_the_value(string script, double expected)
    {
        var reading = await ReadAsync(Shell(script, CommandValue.Stdout));

        Assert.Equal(expected, reading.Value);
    }

    [Theory]
    [InlineData("echo '12 files'", "stdout is not a number: '12 files'")]
    [InlineData("echo 1,5", "stdout is not a number: '1,5'")]
    [InlineData("echo NaN", "stdout is not a number: 'NaN'")]
    [InlineData("printf 'one\\ntwo\\n'", "stdout is not a number: 'one two'")]
    [InlineData("true", "stdout is empty; expected a number")]
    [InlineData("echo '   '", "stdout is empty; expected a number")]
    public async Task Stdout_that_is_not_a_number_is_unknown(string script, string reason)
    {
        AssertUnknown(await ReadAsync(Shell(script, CommandValue.Stdout)), reason);
    }

    [Theory]
    [InlineData(nameof(CommandValue.Stdout), null)]
    [InlineData(nameof(CommandValue.JsonPointer), "/failed")]
    public async Task A_failing_command_gives_no_value_from_stdout(string value, string? at)
    {
        var reading = await ReadAsync(Shell("echo 5; echo '{\"failed\": 5}'; echo 'disk on fire' >&2; exit 3", Enum.Parse<CommandValue>(value), at));

        AssertUnknown(reading, "exited with code 3: 'disk on fire'; a value is read from stdout only when the command succeeds (exit code 0)");
    }

    [Fact]
    public async Task A_failing_command_without_stderr_says_only_its_exit_code()
    {
        AssertUnknown(await ReadAsync(Shell("echo 0; exit 1", CommandValue.Stdout)), "exited with code 1; a value is read from stdout only when the command succeeds (exit code 0)");
    }

    public static TheoryData<string, double?> Pointers => new()
    {
        { "/failed", 2 },
        { "/ok", 1 },
        { "/ratio", 0.25 },
        { "/runs/1/minutes", 7 },
        { "/a~1b/n", null },
        { "/missing", null },
        { "/m~0n", 8 },
    };

    [Theory]
    [MemberData(nameof(Pointers))]
    public async Task A_pointer_reads_a_value_from_json_on_stdout(string at, double? expected)
    {
        const string Json = """{"failed": 2, "ok": true, "ratio": "0.25", "runs": [{"minutes": 3}, {"minutes": 7}], "a/b": {"n": null}, "m~n": 8}""";

        var reading = await ReadAsync(Shell($"printf '%s\\n' '{Json}'", CommandValue.JsonPointer, at));

        Assert.False(reading.IsUnknown, reading.UnknownReason);
        Assert.Equal(expected, reading.Value);
        Assert.Equal(expected is null, reading.IsAbsent);
    }

    [Theory]
    [InlineData("echo oops", "/failed", "stdout is not JSON (")]
    [InlineData("echo '{\"failed\": 1, \"failed\": 0}'", "/failed", "stdout is not JSON (")]
    [InlineData("true", "/failed", "stdout is empty; expected a JSON document")]
    [InlineData("echo '{\"failed\": {\"count\": 2}}'", "/failed", "stdout at /failed is an object, not a number")]
    [InlineData("echo '{\"failed\": \"many\"}'", "/failed", "stdout at /failed is the text 'many', not a number")]
    [InlineData("echo '{\"failed\": 2}'", "failed", "'failed' is not a JSON pointer")]
    public async Task Json_that_does_not_give_a_number_is_unknown(string script, string at, string reasonStart)
    {
        var reading = await ReadAsync(Shell(script, CommandValue.JsonPointer, at));

        Assert.True(reading.IsUnknown);
        Assert.Null(reading.Value);
        Assert.StartsWith(reasonStart, reading.UnknownReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_that_runs_too_long_is_killed_and_unknown()
    {
        var stopwatch = Stopwatch.StartNew();

        var reading = await ReadAsync(Shell("echo 0; sleep 30", CommandValue.ExitCode, timeoutSeconds: 1));

        AssertUnknown(reading, "timed out after 1 s; its process tree was killed");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Cancellation_stops_the_command_and_throws()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var stopwatch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Provider().ReadAsync(Signal(Shell("sleep 30")), cancellation.Token));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task A_program_that_cannot_be_resolved_is_unknown_and_nothing_starts()
    {
        _workspace.Write("check.sh", "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(_workspace.PathOf("check.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        AssertUnknown(
            await ReadAsync(new CommandSource(["no-such-signal-program"], 20, CommandValue.ExitCode, null)),
            "cannot run the command: 'no-such-signal-program' was not found on PATH (relative and workspace PATH entries are ignored)");
        AssertUnknown(
            await ReadAsync(new CommandSource(["./check.sh"], 20, CommandValue.ExitCode, null)),
            "cannot run the command: './check.sh' is a relative path; use an absolute path or a bare command name");
        AssertUnknown(
            await ReadAsync(new CommandSource([_workspace.PathOf("check.sh")], 20, CommandValue.ExitCode, null)),
            $"cannot run the command: '{_workspace.PathOf("check.sh")}' does not exist or is not an executable file");
        AssertUnknown(await ReadAsync(new CommandSource([], 20, CommandValue.ExitCode, null)), "the command is empty: command.run needs the program and its arguments");
    }

    [Fact]
    public async Task A_program_that_cannot_start_is_unknown_with_the_operating_systems_reason()
    {
        // Executable, but not a program the kernel can start (no interpreter line, not a binary).
        _workspace.Write("broken", "\u007fELF not really\n");
        File.SetUnixFileMode(_workspace.PathOf("broken"), UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var reading = await ReadAsync(new CommandSource([_workspace.PathOf("broken")], 20, CommandValue.ExitCode, null));

        Assert.True(reading.IsUnknown);
        Assert.Null(reading.Value);
        Assert.StartsWith($"could not start {_workspace.PathOf("broken")}: ", reading.UnknownReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_command_runs_in_the_workspace_with_the_scrubbed_environment_and_its_signal_id()
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = SearchPath,
            ["GITHUB_TOKEN"] = "ghs_signalSecret",
            ["GH_TOKEN"] = "ghs_signalSecret",
            ["INPUT_GITHUB-TOKEN"] = "ghs_signalSecret",
            ["GITHUB_OUTPUT"] = "/tmp/outputs",
            ["ACTIONS_RUNTIME_TOKEN"] = "runtime",
            ["KEPT"] = "yes",
        };

        // Each check exits with its own code, so a failure says which one.
        var script = string.Join("; ",
            "test -z \"${GITHUB_TOKEN+set}\" || exit 10",
            "test -z \"${GH_TOKEN+set}\" || exit 11",
            "test -z \"${GITHUB_OUTPUT+set}\" || exit 12",
            "env | grep -q '^INPUT_' && exit 13",
            "env | grep -q '^ACTIONS_' && exit 14",
            "env | grep -q ghs_signalSecret && exit 15",
            "test \"$POLICY_SIGNAL_ID\" = integrity.manifest || exit 16",
            "test \"$KEPT\" = yes || exit 17",
            $"test \"$(pwd)\" = '{_workspace.Root}' || exit 18",
            "exit 0");

        var reading = await ReadAsync(Shell(script), "integrity.manifest", environment);

        Assert.Equal(0, reading.Value);
    }

    [Fact]
    public async Task A_command_that_succeeds_prints_nothing_to_the_log()
    {
        var reading = await ReadAsync(Shell("for i in 1 2 3; do echo line $i; done; echo note >&2; echo 5", CommandValue.ExitCode));

        Assert.Equal(0, reading.Value);
        Assert.Equal(string.Empty, _output.ToString());
    }

    [Fact]
    public async Task A_command_that_ends_badly_shows_its_last_lines_fenced_as_untrusted()
    {
        var reading = await ReadAsync(Shell("echo '::set-output name=level::GREEN'; echo 'FAILED: anchors/chain.json' ; echo boom >&2; exit 2"), workflowCommands: true);

        Assert.Equal(2, reading.Value);
        var lines = _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var stop = Array.FindIndex(lines, l => l.StartsWith("::stop-commands::", StringComparison.Ordinal));
        var token = lines[stop]["::stop-commands::".Length..];
        var resume = Array.IndexOf(lines, $"::{token}::");
        Assert.True(stop > 0 && resume > stop, _output.ToString());
        Assert.Equal("probe: the last lines its command printed:", lines[stop - 1]);
        Assert.Equal(
            ["  [probe] ::set-output name=level::GREEN", "  [probe] FAILED: anchors/chain.json", "  [probe] ! boom"],
            lines[(stop + 1)..resume]);
    }

    [Fact]
    public async Task Only_the_last_lines_of_a_long_output_are_shown()
    {
        var reading = await ReadAsync(Shell("seq 1 5000; seq 1 5000 >&2; exit 1"));

        Assert.Equal(1, reading.Value);
        var shown = _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("  [probe]", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2 * CommandSignalProvider.ShownLines, shown.Length);
        Assert.Equal("  [probe] 4991", shown[0]);
        Assert.Equal("  [probe] ! 5000", shown[^1]);
    }

    [Fact]
    public async Task An_unknown_reading_shows_the_output_too()
    {
        var reading = await ReadAsync(Shell("echo 'warming up'; echo 'not yet'", CommandValue.Stdout));

        AssertUnknown(reading, "stdout is not a number: 'warming up not yet'");
        Assert.Contains("  [probe] not yet", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stdout_longer_than_the_capture_is_unknown_not_read_from_its_tail()
    {
        var chars = CommandSignalProvider.MaxCapturedOutputChars + 4096;

        var reading = await ReadAsync(Shell($"head -c {chars} /dev/zero | tr '\\0' '1'", CommandValue.Stdout));

        AssertUnknown(reading, $"stdout is longer than {CommandSignalProvider.MaxCapturedOutputChars} characters; print only the value");
    }

    [Fact]
    public async Task A_long_stderr_does_not_spoil_the_number_on_stdout()
    {
        var chars = (CommandSignalProvider.MaxCapturedOutputChars * 2) + 4096;

        var reading = await ReadAsync(Shell($"head -c {chars} /dev/zero | tr '\\0' 'e' >&2; echo 7", CommandValue.Stdout));

        Assert.Equal(7, reading.Value);
    }

    [Fact]
    public async Task Signal_commands_read_at_the_same_time_run_one_after_the_other()
    {
        // The tool, a child subreaper, kills every child it has after each process: two at once would kill each other.
        var provider = Provider();
        var busy = Shell("test -e busy && exit 9; touch busy; sleep 0.3; rm busy; exit 0");

        var readings = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => provider.ReadAsync(Signal(busy, $"s{i}"), CancellationToken.None)));

        Assert.All(readings, reading => Assert.Equal(0, reading.Value));
    }

    [Fact]
    public async Task The_output_of_signals_read_at_the_same_time_is_fenced_block_by_block()
    {
        // A log that takes its time: the next command ends while a block is still being written.
        using var log = new SlowWriter();
        var provider = new CommandSignalProvider(
            new ExecutableResolver(SearchPath, _workspace.Root),
            new ProcessRunner(),
            new Reporter(log, log, workflowCommands: true),
            RunContext.FromVariables(new Dictionary<string, string> { ["PATH"] = SearchPath }),
            new WorkspacePaths(_workspace.Root));
        var failing = Shell("echo '::error::forged'; echo '::warning::forged'; exit 1");

        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => provider.ReadAsync(Signal(failing, $"s{i}"), CancellationToken.None)));

        // Each fence ends before the next begins, so every child line sits inside one.
        var stopped = false;
        foreach (var line in log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("::stop-commands::", StringComparison.Ordinal))
            {
                Assert.False(stopped, "a fence began inside another");
                stopped = true;
            }
            else if (line.StartsWith("::", StringComparison.Ordinal))
            {
                Assert.True(stopped, $"a resume without a fence: {line}");
                stopped = false;
            }
            else if (line.StartsWith("  [", StringComparison.Ordinal))
            {
                Assert.True(stopped, $"child output outside a fence: {line}");
            }
        }
    }

    [Fact]
    public async Task Processes_a_command_leaves_running_are_killed_and_a_warning_says_so()
    {
        var reading = await ReadAsync(Shell("sleep 60 >/dev/null 2>&1 & exit 0"));

        Assert.Equal(0, reading.Value);
        Assert.Contains("warning: signal probe: 1 process(es) its command left running were killed", _output.ToString(), StringComparison.Ordinal);
    }

    private sealed class SlowWriter : StringWriter
    {
        private readonly Lock _lock = new();

        public override void Write(string? value)
        {
            Thread.Sleep(30);
            lock (_lock)
            {
                base.Write(value);
            }
        }

        public override void WriteLine(string? value) => Write(value + "\n");

        public override string ToString()
        {
            lock (_lock)
            {
                return base.ToString();
            }
        }
    }
}
