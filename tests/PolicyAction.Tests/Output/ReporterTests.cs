using PolicyAction.Output;

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
