using System.Text.Json;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Cli;

/// <summary>What respond, gates and status print agrees with what happens, in the order it happens (issue 21, section 3).</summary>
public sealed class ScreensThatAgreeTests : IDisposable
{
    private const string ReversibleConfig = """
        version: 1
        levels:
          RED:
            - id: say_hello
              run: ["/bin/echo", "hello from the action"]
            - id: mirror
              run: ["/bin/cp", "a.txt", "b.txt"]
              reversible:
                paths: ["b.txt"]
        """;

    private readonly TempWorkspace _workspace = new TempWorkspace().WithConfig(ReversibleConfig).Write("a.txt", "a\n");

    public void Dispose() => _workspace.Dispose();

    private Task<CliResult> Run(params string[] args) => CliHarness.RunAsync(_workspace, args);

    [Fact]
    public async Task An_apply_prints_the_heading_and_the_gates_before_the_actions_output_and_the_results_after_it()
    {
        var result = await Run("respond", "--policy", "RED", "--apply");

        Assert.Equal(0, result.ExitCode);
        var text = result.Stdout;
        int At(string s)
        {
            var i = text.IndexOf(s, StringComparison.Ordinal);
            Assert.True(i >= 0, $"'{s}' is not in:\n{text}");
            return i;
        }

        Assert.True(At("policy-response apply — RED") < At("GATE "), text);
        Assert.True(At("interrupted_response  pass") < At("Running 2 action(s):"), text);
        Assert.True(At("Running 2 action(s):") < At("[say_hello] hello from the action"), text);
        Assert.True(At("[say_hello] hello from the action") < At("Actions:\n"), text);
        Assert.True(At("Actions:\n") < At("applied 2 action(s)"), text);
        // The heading and the gates once: not again after the actions.
        Assert.Equal(text.IndexOf("GATE ", StringComparison.Ordinal), text.LastIndexOf("GATE ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_preview_gives_no_undo_command_and_an_apply_gives_one_for_the_action_that_ran()
    {
        var preview = await Run("respond", "--policy", "RED");
        Assert.Equal(0, preview.ExitCode);
        Assert.DoesNotContain("policy-response undo", preview.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("<response_id>", preview.Stdout, StringComparison.Ordinal);
        Assert.Contains("reversible: b.txt; an apply saves these first, so it can be undone", preview.Stdout, StringComparison.Ordinal);

        var applied = await Run("respond", "--policy", "RED", "--apply");
        var id = JsonDocument.Parse(_workspace.ResponseLines()[^1]).RootElement.GetProperty("response_id").GetString();
        Assert.Contains($"reversible: b.txt; undo: policy-response undo {id} --apply restores b.txt", applied.Stdout, StringComparison.Ordinal);
    }

    /// <summary>An interrupted response blocks gates, preview and apply alike while the gate looks back at it, and status says the same.</summary>
    [Theory]
    [InlineData(1, true)]
    [InlineData(6 * 24 + 23, true)]
    [InlineData(7 * 24 + 1, false)]
    public async Task Gates_respond_and_status_agree_on_an_interrupted_response(int hoursAgo, bool blocks)
    {
        var id = Interrupt(hoursAgo);
        var expected = blocks ? 3 : 0;

        var gates = await Run("gates");
        var preview = await Run("respond", "--policy", "RED");
        var apply = await Run("respond", "--policy", "RED", "--apply");
        var status = JsonDocument.Parse((await Run("status", "--json")).Stdout).RootElement;

        Assert.Equal([expected, expected, expected], new[] { gates.ExitCode, preview.ExitCode, apply.ExitCode });
        Assert.Equal(blocks, gates.Stdout.Contains($"response {id:D}", StringComparison.Ordinal));
        Assert.Equal(blocks, preview.Stdout.Contains($"interrupted_response: response {id:D}", StringComparison.Ordinal));
        Assert.Equal(blocks, apply.Stdout.Contains($"interrupted_response: response {id:D}", StringComparison.Ordinal));
        if (blocks)
        {
            Assert.Equal(id.ToString("D"), status.GetProperty("last_response_id").GetString());
            Assert.Equal("interrupted: blocks applies (interrupted_response) until undone or acknowledged", status.GetProperty("last_response_status").GetString());
        }
        else
        {
            // The apply that went ahead is now the last response; the old one is history the gate no longer reads.
            Assert.Equal("succeeded", status.GetProperty("last_response_status").GetString());
        }
    }

    [Fact]
    public async Task Status_says_an_old_interrupted_response_no_longer_blocks()
    {
        Interrupt(8 * 24);

        var status = JsonDocument.Parse((await Run("status", "--json")).Stdout).RootElement;

        Assert.Equal(0, (await Run("gates")).ExitCode);
        Assert.Equal("interrupted, older than 7 days: no longer blocks", status.GetProperty("last_response_status").GetString());
    }

    [Theory]
    [InlineData("acknowledge", "interrupted, settled by acknowledge")]
    [InlineData("undo", "interrupted, settled by undo")]
    public async Task Once_settled_status_says_so_when_the_gates_pass_again(string settle, string expected)
    {
        // A real interruption: the process is killed after the reversible action ran, so there is an undo record
        // (the tool's own processes throughout: their clock is the real one, which the records carry).
        _workspace.WithConfig(ReversibleConfig + "\n    - id: lost_runner\n      run: [\"/bin/sh\", \"-c\", \"kill -9 $PPID\"]\n");
        Assert.Equal(137, (await ProcessCli.RunAsync(_workspace, "respond", "--policy", "RED", "--apply")).ExitCode);
        var id = Guid.Parse(JsonDocument.Parse(_workspace.ResponseLines()[0]).RootElement.GetProperty("response_id").GetString()!);
        Assert.Equal(3, (await ProcessCli.RunAsync(_workspace, "gates")).ExitCode);

        var settled = settle == "undo"
            ? await ProcessCli.RunAsync(_workspace, "undo", id.ToString("D"), "--apply")
            : await ProcessCli.RunAsync(_workspace, "acknowledge", id.ToString("D"), "--reason", "checked by hand");
        Assert.Equal(0, settled.ExitCode);

        Assert.Equal(0, (await ProcessCli.RunAsync(_workspace, "gates")).ExitCode);
        var status = JsonDocument.Parse((await ProcessCli.RunAsync(_workspace, "status", "--json")).Stdout).RootElement;
        Assert.Equal(expected, status.GetProperty("last_response_status").GetString());
    }

    private Guid Interrupt(int hoursAgo)
    {
        var id = Guid.NewGuid();
        new AuditLog(_workspace.PathOf("state/policy_response_log.jsonl")).Append(new AuditRecord
        {
            Timestamp = CliHarness.Now.AddHours(-hoursAgo),
            Event = AuditEvents.ResponseStarted,
            ResponseId = id,
            Policy = "RED",
            Mode = "apply",
            ActionsPlanned = 2,
        });
        return id;
    }
}
