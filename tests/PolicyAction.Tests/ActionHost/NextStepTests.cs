using PolicyAction.ActionHost;
using PolicyAction.Gates;
using PolicyAction.RunnerProtocol;

namespace PolicyAction.Tests.ActionHost;

/// <summary>What a blocked run's summary tells the reader to do, per gate: the command that releases it, for the workflows init scaffolds.</summary>
public sealed class NextStepTests
{
    private static readonly Guid Interrupted = Guid.Parse("0b6f7a0e-3c1d-4c1e-9a57-2f5d8c0e9a11");

    [Theory]
    [InlineData(GateNames.SafetyBrake, "gh workflow run policy_control.yml -f command=brake-release -f reason=\"<why>\"")]
    [InlineData(GateNames.TrustGuard, "gh workflow run policy_control.yml -f command=trust-unlock -f reason=\"<why>\"")]
    [InlineData(GateNames.RateLimit, "gh workflow run policy_response_runner.yml")]
    [InlineData(GateNames.PlanDigest, "gh workflow run policy_response_runner.yml")]
    [InlineData(GateNames.InterruptedResponse, "gh workflow run policy_control.yml -f command=undo -f response_id=0b6f7a0e-3c1d-4c1e-9a57-2f5d8c0e9a11 -f reason=\"<why>\"\ngh workflow run policy_control.yml -f command=acknowledge -f response_id=0b6f7a0e-3c1d-4c1e-9a57-2f5d8c0e9a11 -f reason=\"<why>\"")]
    [InlineData(GateNames.ManualUnlocks, null)]
    public void Each_gate_has_its_release(string gate, string? command)
    {
        var step = NextStep.Release(new GateResult(gate, false, "x", "y", "detail"), null, Interrupted);

        Assert.Equal(command, step.Command);
        Assert.StartsWith("**To release:**", step.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rate_limit_names_the_time_a_slot_frees_when_it_is_known()
    {
        var step = NextStep.Release(new GateResult(GateNames.RateLimit, false, "1", "< 1", "detail"), new DateTimeOffset(2026, 11, 25, 5, 0, 0, TimeSpan.Zero), null);

        Assert.Contains("frees a slot at 2026-11-25T05:00:00Z", step.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_scaffolded_workflows_have_the_inputs_the_commands_use()
    {
        var runner = File.ReadAllText(Path.Combine(Support.RepositoryRoot.Path, "workflows", PolicyAction.Scaffolding.WorkflowTemplates.ResponseRunner));
        var control = File.ReadAllText(Path.Combine(Support.RepositoryRoot.Path, "workflows", PolicyAction.Scaffolding.WorkflowTemplates.Control));

        Assert.Contains("      auto_apply:", runner, StringComparison.Ordinal);
        Assert.Contains("      plan_digest:", runner, StringComparison.Ordinal);
        foreach (var input in new[] { "      command:", "      reason:", "      response_id:", "- brake-release", "- trust-unlock", "- undo", "- acknowledge" })
        {
            Assert.Contains(input, control, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_step_is_its_text_then_its_command_as_code()
    {
        var summary = new JobSummary();

        NextStep.Apply("sha256:abc").Write(summary);

        Assert.EndsWith("\n\n```\ngh workflow run policy_response_runner.yml -f auto_apply=true -f plan_digest=sha256:abc\n```\n\n", summary.Render(), StringComparison.Ordinal);
    }
}
