using PolicyAction.ActionHost;
using PolicyAction.RunnerProtocol;

namespace PolicyAction.Tests.ActionHost;

/// <summary>The action's inputs as <see cref="ActionSettings.Read"/> checks them, before anything runs.</summary>
public sealed class ActionSettingsTests
{
    private const string ResponseId = "0b6f7a0e-3c1d-4c1e-9a57-2f5d8c0e9a11";

    private static ActionSettings Read(params (string Input, string Value)[] inputs)
    {
        var variables = inputs.ToDictionary(i => ActionInputs.VariableName(i.Input), i => i.Value, StringComparer.Ordinal);
        return ActionSettings.Read(new ActionInputs(variables), RunContext.FromVariables(variables, "runner"), null, "/workspace");
    }

    public static TheoryData<string, string, string?, string?> ControlCommands() => new()
    {
        { "brake-engage", nameof(ActionCommand.BrakeEngage), null, null },
        { "brake-release", nameof(ActionCommand.BrakeRelease), null, null },
        { "trust-lock", nameof(ActionCommand.TrustLock), null, null },
        { "trust-unlock", nameof(ActionCommand.TrustUnlock), null, null },
        { "trust-force-unlock", nameof(ActionCommand.TrustForceUnlock), "3f2a9c1e-1111-4222-8333-444455556666", null },
        { "undo", nameof(ActionCommand.Undo), null, ResponseId },
        { "acknowledge", nameof(ActionCommand.Acknowledge), null, ResponseId },
    };

    [Theory]
    [MemberData(nameof(ControlCommands))]
    public void A_control_command_reads_its_reason_and_what_it_names(string command, string expected, string? lockId, string? responseId)
    {
        var settings = Read(("command", command), ("reason", "  INC-42 page  "), ("lock-id", lockId ?? string.Empty), ("response-id", responseId ?? string.Empty));

        Assert.Equal(Enum.Parse<ActionCommand>(expected), settings.Command);
        Assert.Equal(command, settings.CommandName);
        Assert.Equal(new ControlRequest("INC-42 page", lockId, responseId is null ? null : Guid.Parse(responseId)), settings.Control);
        Assert.False(settings.Responds);
        Assert.False(settings.ChecksAlerts);
    }

    [Theory]
    [MemberData(nameof(ControlCommands))]
    public void A_control_command_without_a_reason_is_refused_naming_the_input(string command, string expected, string? lockId, string? responseId)
    {
        foreach (var reason in new[] { string.Empty, "   " })
        {
            var error = Assert.Throws<UsageException>(() => Read(("command", command), ("reason", reason), ("lock-id", lockId ?? string.Empty), ("response-id", responseId ?? string.Empty)));

            Assert.Equal(ExitCodes.UsageOrStateError, error.ExitCode);
            Assert.Contains($"input 'reason' is required for command '{command}'", error.Message, StringComparison.Ordinal);
            Assert.NotEqual(nameof(ActionCommand.Run), expected);
        }
    }

    [Theory]
    [InlineData("trust-force-unlock", "lock-id", "", "input 'lock-id' is required for command 'trust-force-unlock'")]
    [InlineData("undo", "response-id", "", "input 'response-id' is required for command 'undo'")]
    [InlineData("acknowledge", "response-id", "", "input 'response-id' is required for command 'acknowledge'")]
    [InlineData("undo", "response-id", "latest", "input 'response-id' must be a response id, a UUID such as 0b6f7a0e-3c1d-4c1e-9a57-2f5d8c0e9a11; got 'latest'")]
    [InlineData("acknowledge", "response-id", "0b6f7a0e3c1d4c1e9a572f5d8c0e9a11", "input 'response-id' must be a response id")]
    [InlineData("undo", "response-id", "{0b6f7a0e-3c1d-4c1e-9a57-2f5d8c0e9a11}", "input 'response-id' must be a response id")]
    [InlineData("undo", "response-id", "0b6f7a0e-3c1d-4c1e-9a57-2f5d8c0e9a11\n::error::x", "got '0b6f7a0e-3c1d-4c1e-9a57-2f5d8c0e9a11\\n::e…'")]
    public void What_a_control_command_names_is_required_and_checked(string command, string input, string value, string message)
    {
        var error = Assert.Throws<UsageException>(() => Read(("command", command), ("reason", "INC-42"), (input, value)));

        Assert.Equal(ExitCodes.UsageOrStateError, error.ExitCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", nameof(CommitMode.Always))]
    [InlineData("apply-only", nameof(CommitMode.ApplyOnly))]
    public void A_control_command_commits_with_true_and_apply_only(string commit, string expected) =>
        Assert.Equal(Enum.Parse<CommitMode>(expected), Read(("command", "brake-engage"), ("reason", "INC-42"), ("commit-artifacts", commit)).Commit);

    [Fact]
    public void A_control_command_with_commit_artifacts_false_is_refused_as_no_later_run_would_see_it()
    {
        var error = Assert.Throws<UsageException>(() => Read(("command", "brake-engage"), ("reason", "INC-42"), ("commit-artifacts", "false")));

        Assert.Contains("command 'brake-engage' commits the state it changes", error.Message, StringComparison.Ordinal);
        Assert.Contains("input 'commit-artifacts' is false", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("gates")]
    [InlineData("respond")]
    [InlineData("alerts")]
    public void The_stages_take_no_control_inputs_and_need_no_reason(string command)
    {
        var settings = Read(("command", command), ("commit-artifacts", "false"));

        Assert.Null(settings.Control);
        Assert.Equal(command, settings.CommandName);
    }

    [Theory]
    [InlineData("brake")]
    [InlineData("Brake-Engage")]
    [InlineData("undo --apply")]
    public void An_unknown_command_lists_the_control_commands_too(string command)
    {
        var error = Assert.Throws<UsageException>(() => Read(("command", command), ("reason", "INC-42")));

        Assert.Contains("brake-engage, brake-release, trust-lock, trust-unlock, trust-force-unlock, undo, acknowledge", error.Message, StringComparison.Ordinal);
    }
}
