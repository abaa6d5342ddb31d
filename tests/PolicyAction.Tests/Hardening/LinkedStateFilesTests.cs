using System.Diagnostics;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Hardening;

/// <summary>
/// The tool's own files (state, the audit log and its segments, reports, the alert history) committed as symbolic
/// links, or behind a folder that is one: every command that opens them stops with exit 2 naming the file, and
/// nothing outside the workspace is read, written or appended to.
/// </summary>
public sealed class LinkedStateFilesTests : IDisposable
{
    private const string Config = """
        version: 1
        levels:
          RED:
            - id: mark
              run: ["/usr/bin/touch", "applied.marker"]
        """;

    // A one-line secret without a newline: read as the audit log, it looked like a torn record.
    private const string Secret = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";

    private readonly TempWorkspace _workspace = new TempWorkspace().WithConfig(Config);
    private readonly TempWorkspace _outside = new TempWorkspace().Write("secret.txt", Secret);

    public void Dispose()
    {
        _workspace.Dispose();
        _outside.Dispose();
    }

    private string Outside(string name) => _outside.PathOf(name);

    private void Link(string relative, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_workspace.PathOf(relative))!);
        File.CreateSymbolicLink(_workspace.PathOf(relative), target);
    }

    [Theory]
    [InlineData("state/policy_response_log.jsonl")]
    [InlineData("state/trust_lock_state.json")]
    [InlineData("forensics/safety_brake_state.json")]
    [InlineData("state/policy_state.json")]
    public async Task A_state_file_that_is_a_link_to_a_file_outside_stops_the_run_and_the_outside_file_is_untouched(string file)
    {
        Link(file, Outside("secret.txt"));
        string[] args = file == "state/policy_state.json" ? ["respond", "--apply"] : ["respond", "--policy", "RED", "--apply"];

        var result = await CliHarness.RunAsync(_workspace, args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"{file}: is a symbolic link; the tool's files are never opened through links", result.Stderr.Replace('\\', '/'), StringComparison.Ordinal);
        Assert.Equal(Secret, _outside.Read("secret.txt"));
        Assert.False(_workspace.Exists("applied.marker"));
        Assert.DoesNotContain(Secret, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_folder_that_is_a_link_leads_nothing_outside()
    {
        Directory.CreateDirectory(Outside("state"));
        File.WriteAllText(Outside("state/policy_response_log.jsonl"), Secret);
        File.CreateSymbolicLink(_workspace.PathOf("state"), Outside("state"));

        var result = await CliHarness.RunAsync(_workspace, "respond", "--policy", "RED", "--apply");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("passes through the symbolic link 'state'", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(["policy_response_log.jsonl"], Directory.GetFileSystemEntries(Outside("state")).Select(Path.GetFileName));
        Assert.Equal(Secret, File.ReadAllText(Outside("state/policy_response_log.jsonl")));
        Assert.False(_workspace.Exists("applied.marker"));
    }

    [Fact]
    public async Task A_reports_folder_that_is_a_link_gets_no_report_written_through_it()
    {
        Directory.CreateDirectory(Outside("reports"));
        File.CreateSymbolicLink(_workspace.PathOf("reports"), Outside("reports"));

        var result = await CliHarness.RunAsync(_workspace, "alerts");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("passes through the symbolic link 'reports'", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Outside("reports")));
    }

    [Fact]
    public async Task An_alert_history_that_is_a_link_is_not_appended_to()
    {
        // An engaged brake five hours old fires an alert, which the history records.
        _workspace.Write("forensics/safety_brake_state.json", $$"""{"is_engaged": true, "engaged_at": "{{CliHarness.Now.AddHours(-5):O}}", "reason": "drill"}""");
        Link("logs/policy_orchestration_alerts.jsonl", Outside("secret.txt"));

        var result = await CliHarness.RunAsync(_workspace, "alerts");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("logs/policy_orchestration_alerts.jsonl: is a symbolic link", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(Secret, _outside.Read("secret.txt"));
    }

    [Fact]
    public async Task A_state_file_linked_to_dev_zero_is_refused_at_once_not_read_until_memory_runs_out()
    {
        Link("state/trust_lock_state.json", "/dev/zero");
        var clock = Stopwatch.StartNew();

        var result = await Task.Run(() => CliHarness.RunAsync(_workspace, "trust", "status")).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("state/trust_lock_state.json: is a symbolic link", result.Stderr, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_state_file_that_is_a_fifo_is_refused_at_once_not_waited_on()
    {
        Directory.CreateDirectory(_workspace.PathOf("state"));
        var made = await ExternalProcess.RunAsync("mkfifo", [_workspace.PathOf("state/trust_lock_state.json")], _workspace.Root);
        Assert.Equal(0, made.ExitCode);

        // On a thread of its own: a plain open() of a FIFO without a writer never returns.
        var result = await Task.Run(() => CliHarness.RunAsync(_workspace, "trust", "status")).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("state/trust_lock_state.json: is not a regular file", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_log_does_not_read_a_log_through_a_link()
    {
        File.WriteAllText(Outside("log.jsonl"), Secret + "\n");
        Link("state/policy_response_log.jsonl", Outside("log.jsonl"));

        var result = await CliHarness.RunAsync(_workspace, "verify-log");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("is a symbolic link", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }
}
