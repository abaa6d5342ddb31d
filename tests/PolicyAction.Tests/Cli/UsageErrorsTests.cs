using PolicyAction.Cli;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Cli;

/// <summary>A mistyped or incomplete command line says what to do: the nearest command, or the subcommands to choose from.</summary>
public class UsageErrorsTests
{
    [Theory]
    [InlineData("stauts", "error: 'stauts' is not a command of policy-response; did you mean 'status'?", "Run 'policy-response --help' for usage.")]
    [InlineData("evalute", "did you mean 'evaluate'?", "Run 'policy-response --help' for usage.")]
    [InlineData("brake engae", "error: 'engae' is not a command of policy-response brake; did you mean 'engage'? Its commands: status, engage, release", "Run 'policy-response brake --help' for usage.")]
    [InlineData("brake", "error: policy-response brake needs a command: status (", "Run 'policy-response brake --help' for usage.")]
    [InlineData("trust", "error: policy-response trust needs a command: ", "Run 'policy-response trust --help' for usage.")]
    [InlineData("xyzzy", "error: 'xyzzy' is not a command of policy-response; its commands: gates, respond,", "Run 'policy-response --help' for usage.")]
    [InlineData("evaluate --bogus", "error: Unrecognized command or argument '--bogus'.", "Run 'policy-response evaluate --help' for usage.")]
    public async Task A_usage_error_says_what_to_type(string line, string message, string help)
    {
        using var workspace = new TempWorkspace();

        var result = await CliHarness.RunAsync(workspace, line.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.Contains(help, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Required command was not provided", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stauts", "status")]
    [InlineData("STATUS", "status")]
    [InlineData("gate", "gates")]
    [InlineData("verifylog", "verify-log")]
    [InlineData("initt", "init")]
    [InlineData("deploy", null)]
    [InlineData("x", null)]
    public void Nearest_finds_a_typo_never_another_word(string typed, string? expected) =>
        Assert.Equal(expected, UsageErrors.Nearest(typed, ["gates", "respond", "undo", "acknowledge", "trust", "brake", "status", "verify-log", "alerts", "evaluate", "run", "action", "init"]));
}
