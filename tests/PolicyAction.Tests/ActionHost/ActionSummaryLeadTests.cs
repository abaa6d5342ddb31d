using PolicyAction.ActionHost;
using PolicyAction.Gates;
using PolicyAction.Responses;
using PolicyAction.RunnerProtocol;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.ActionHost;

/// <summary>The lead of a failed apply's summary, for output the approval files do not show: long and many-lined.</summary>
public sealed class ActionSummaryLeadTests
{
    private static string LeadOfFailure(string stdout)
    {
        var report = new ResponseReport
        {
            ResponseId = Guid.Parse("7d3c2a10-5b8e-4f61-9a42-0c1d2e3f4a5b"),
            Policy = "RED",
            Mode = ResponseMode.Apply,
            CreatedAt = CliHarness.Now,
            ActionsPlanned = 1,
            SafetyGatesPassed = true,
            Gates = [],
            PlanDigest = "sha256:0",
            ActionsFailed = 1,
            Results = [new ActionReport { Action = "noisy", Command = ["/bin/noisy"], Status = ActionStatus.Failed, Stdout = stdout, ExitCode = 1, Reversible = false }],
        };
        var gates = new GateEvaluation(CliHarness.Now, true, []);
        var summary = new JobSummary();

        ActionSummary.Lead(summary, new RespondResult(ResponseOutcome.ActionFailed, report, gates), new GateStageResult(gates, true, null), new ReleaseHints(null, null), undoOnBranch: true, problems: []);

        return summary.Render();
    }

    [Fact]
    public void A_failed_action_shows_its_last_lines_only()
    {
        var lead = LeadOfFailure(string.Join('\n', Enumerable.Range(1, 50).Select(i => $"line {i}")));

        Assert.Contains("line 31\n", lead, StringComparison.Ordinal);
        Assert.Contains("line 50\n```", lead, StringComparison.Ordinal);
        Assert.DoesNotContain("line 30\n", lead, StringComparison.Ordinal);
    }

    [Fact]
    public void One_long_line_is_cut_to_its_end()
    {
        var lead = LeadOfFailure(new string('x', 60_000) + "END");

        Assert.Contains("…" + new string('x', ActionSummary.OutputTailChars - 3) + "END\n```", lead, StringComparison.Ordinal);
        Assert.True(lead.Length < ActionSummary.OutputTailChars + 1000, $"{lead.Length} characters");
    }
}
