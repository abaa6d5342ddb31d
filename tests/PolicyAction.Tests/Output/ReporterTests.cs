using PolicyAction.Output;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Output;

public class ReporterTests
{
    private static (Reporter Reporter, StringWriter Output, StringWriter Error) Create(bool workflowCommands)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        return (new Reporter(output, error, workflowCommands), output, error);
    }

    [Theory]
    [InlineData("locked: incident\n::add-mask::ghs_x")]
    [InlineData("   ::error::fake")]
    [InlineData("a\n\t::set-output name=x::y\nb")]
    public void In_a_runner_text_that_would_parse_as_a_command_is_fenced_off(string text)
    {
        var (reporter, output, _) = Create(workflowCommands: true);

        reporter.Text(text);

        var lines = output.ToString().Split('\n');
        Assert.StartsWith("::stop-commands::policy-response-", lines[0], StringComparison.Ordinal);
        var token = lines[0]["::stop-commands::".Length..];
        Assert.Equal($"::{token}::", lines[^2]);
        Assert.Equal(text, string.Join('\n', lines[1..^2]).TrimEnd('\n'));
    }

    /// <summary>Text by the runner's own rules (<see cref="RunnerCommandParser"/>): each runs a command when printed bare.</summary>
    public static TheoryData<string> Hostile => new()
    {
        "locked: incident\n::add-mask::ghs_x",
        "reason\r::set-output name=mode::apply",
        "reason\r\n::error::fake",
        "reason ##[set-output name=mode;]apply",
        "reason\r\u00A0\u2003::warning::fake",
        "::stop-commands::known\n::error::fake\n::known::",
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void In_a_runner_text_runs_no_command_by_the_runners_rules(string text)
    {
        Assert.NotEmpty(RunnerCommandParser.Parse(text + "\n"));
        var (reporter, output, _) = Create(workflowCommands: true);

        reporter.Line(text);
        reporter.Warning("ours", "title");

        var commands = RunnerCommandParser.Parse(output.ToString());
        Assert.Equal(["stop-commands", commands[0].Data, "warning"], commands.Select(c => c.Name));
        Assert.Matches("^policy-response-[0-9a-f]{32}$", commands[0].Data);
    }

    [Fact]
    public void A_json_document_keeps_its_value_and_runs_no_command()
    {
        var (reporter, output, _) = Create(workflowCommands: true);
        var document = System.Text.Json.JsonSerializer.Serialize(new[] { "x ##[set-output name=mode;]apply", "\r::error::fake" });

        reporter.Json(document);

        Assert.Empty(RunnerCommandParser.Parse(output.ToString()));
        Assert.Equal(["x ##[set-output name=mode;]apply", "\r::error::fake"], System.Text.Json.JsonSerializer.Deserialize<string[]>(output.ToString())!);
    }

    [Fact]
    public void Ordinary_text_is_written_as_it_is()
    {
        var (reporter, output, _) = Create(workflowCommands: true);

        reporter.Line("trust_guard  pass  a::b");

        Assert.Equal("trust_guard  pass  a::b" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public void Warnings_and_errors_are_annotations_in_a_runner_and_plain_at_a_terminal()
    {
        var (runner, runnerOut, _) = Create(workflowCommands: true);
        runner.Warning("brake engaged\nfor 5 h", "Blocked");
        runner.Failure("50% done");
        Assert.Equal("::warning title=Blocked::brake engaged%0Afor 5 h\n::error::50%25 done\n", runnerOut.ToString());

        var (terminal, terminalOut, terminalErr) = Create(workflowCommands: false);
        terminal.Warning("w");
        terminal.Failure("e");
        Assert.Equal(string.Empty, terminalOut.ToString());
        Assert.Equal("warning: w\nerror: e\n", terminalErr.ToString());
    }

    [Fact]
    public void Groups_are_log_groups_in_a_runner()
    {
        var (reporter, output, _) = Create(workflowCommands: true);

        using (reporter.Group("Response"))
        {
            reporter.Line("x");
        }

        Assert.Equal("::group::Response\nx" + Environment.NewLine + "::endgroup::\n", output.ToString());
    }
}
