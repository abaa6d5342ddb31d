using System.Text.RegularExpressions;
using PolicyAction.Cli;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Cli;

/// <summary>
/// The state commands run by a person (real processes, outside a runner) say how the change reaches the
/// repository: the files to commit and push, and the control workflow's gh line, its values shell-quoted.
/// </summary>
public sealed partial class RepositoryHintTests : IDisposable
{
    private const string Hostile = "INC-42: it's down; $(touch pwned) `id` \"quoted\" \\ end";

    private readonly TempWorkspace _workspace = ExampleWorkspace.Copy();

    public void Dispose() => _workspace.Dispose();

    /// <summary>Outside a runner: no GITHUB_ACTIONS, whatever the test host has.</summary>
    private Task<CliResult> Run(params string[] args) =>
        ProcessCli.RunAsync(_workspace.Root, new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = null }, [.. args, "--workspace", _workspace.Root]);

    private static string GhLine(CliResult result) =>
        Assert.Single(result.Stdout.Split('\n'), l => l.Contains("gh workflow run", StringComparison.Ordinal)).Trim();

    [Fact]
    public async Task Brake_engage_names_the_files_to_commit_and_the_gh_line_with_the_reason_quoted_for_the_shell()
    {
        var result = await Run("brake", "engage", "--reason", Hostile);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("this changed only this workspace: commit and push forensics/safety_brake_state.json and state/policy_response_log.jsonl", result.Stdout, StringComparison.Ordinal);
        var gh = GhLine(result);
        Assert.Equal("gh workflow run policy_control.yml -f command=brake-engage -f reason=" + RepositoryHint.ShellQuote(Hostile), gh);

        // The line, run by bash as printed (with gh a function that prints its arguments), passes the reason unchanged.
        var echoed = await ExternalProcess.RunAsync("bash", ["-c", "gh() { printf '%s\\n' \"$@\"; }; " + gh], _workspace.Root);
        Assert.Equal(["workflow", "run", "policy_control.yml", "-f", "command=brake-engage", "-f", "reason=" + Hostile, ""], echoed.Stdout.Split('\n'));
        Assert.False(_workspace.Exists("pwned"));
    }

    [Fact]
    public async Task Each_state_command_prints_its_own_control_command_and_the_files_it_wrote()
    {
        var lockResult = await Run("trust", "lock", "--reason", "migration");
        Assert.Contains("-f command=trust-lock -f reason=migration", GhLine(lockResult), StringComparison.Ordinal);
        Assert.Contains("commit and push state/trust_lock_state.json and state/policy_response_log.jsonl", lockResult.Stdout, StringComparison.Ordinal);
        var lockId = LockId().Match(lockResult.Stdout).Groups[1].Value;

        var force = await Run("trust", "force-unlock", "--lock-id", lockId, "--reason", "done");
        Assert.True(force.ExitCode == 0, force.ToString());
        Assert.Equal($"gh workflow run policy_control.yml -f command=trust-force-unlock -f lock_id={lockId} -f reason=done", GhLine(force));

        await Run("trust", "lock", "--reason", "again");
        var unlock = await Run("trust", "unlock", "--reason", "all clear");
        Assert.True(unlock.ExitCode == 0, unlock.ToString());
        Assert.Equal("gh workflow run policy_control.yml -f command=trust-unlock -f reason='all clear'", GhLine(unlock));

        await Run("brake", "engage", "--reason", "x");
        var release = await Run("brake", "release", "--reason", "fixed");
        Assert.Equal("gh workflow run policy_control.yml -f command=brake-release -f reason=fixed", GhLine(release));
    }

    [Fact]
    public async Task Undo_apply_names_the_undo_record_and_leaves_the_reason_for_the_reader()
    {
        var applied = await Run("respond", "--policy", "RED", "--apply");
        Assert.True(applied.ExitCode == 0, applied.ToString());
        var id = UndoRecord().Match(string.Join('\n', Directory.GetFiles(_workspace.PathOf("state")))).Groups[1].Value;

        var preview = await Run("undo", id);
        Assert.DoesNotContain("gh workflow run", preview.Stdout, StringComparison.Ordinal);

        var undo = await Run("undo", id, "--apply");

        Assert.True(undo.ExitCode == 0, undo.ToString());
        Assert.Contains($"commit and push state/policy_response_undo_{id}.json and state/policy_response_log.jsonl (and the restored files, if the repository tracks them)", undo.Stdout, StringComparison.Ordinal);
        Assert.Equal($"gh workflow run policy_control.yml -f command=undo -f response_id={id} -f reason=\"...\"", GhLine(undo));
    }

    [Fact]
    public async Task Nothing_changed_and_inside_a_runner_print_no_hint()
    {
        await Run("brake", "engage", "--reason", "first");

        var again = await Run("brake", "engage", "--reason", "second");
        Assert.Contains("already engaged", again.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("gh workflow run", again.Stdout, StringComparison.Ordinal);

        var inRunner = await ProcessCli.RunAsync(_workspace.Root, new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = "true" }, "brake", "release", "--reason", "x", "--workspace", _workspace.Root);
        Assert.True(inRunner.ExitCode == 0, inRunner.ToString());
        Assert.Contains("safety brake released", inRunner.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("gh workflow run", inRunner.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("commit and push", inRunner.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("INC-42", "INC-42")]
    [InlineData("two words", "'two words'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("", "''")]
    [InlineData("a\nb", "$'a\\x0ab'")]
    [InlineData("tab\there 'q' \\", "$'tab\\x09here \\'q\\' \\\\'")]
    [InlineData("rtl \u202e txt", "$'rtl \\u202e txt'")]
    [InlineData("esc \u001b[31m", "$'esc \\x1b[31m'")]
    [InlineData("émoji 🚒", "'émoji 🚒'")]
    public async Task ShellQuote_gives_bash_back_exactly_the_text(string text, string quoted)
    {
        Assert.Equal(quoted, RepositoryHint.ShellQuote(text));

        var printed = await ExternalProcess.RunAsync("bash", ["-c", "printf '%s' " + quoted], _workspace.Root);
        Assert.Equal(text, printed.Stdout);
    }

    [GeneratedRegex("lock id ([0-9a-f-]{36})")]
    private static partial Regex LockId();

    [GeneratedRegex("policy_response_undo_([0-9a-f-]{36})\\.json")]
    private static partial Regex UndoRecord();
}
