using PolicyAction.Orchestrator;
using PolicyAction.RunnerProtocol;
using PolicyAction.State;

namespace PolicyAction.Tests.Orchestrator;

public class EvaluationTextReviewTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 4, 45, 0, TimeSpan.Zero);

    [Fact]
    public void A_commands_stdout_quoted_in_an_unknown_reason_renders_no_link_or_image_in_the_job_summary()
    {
        // A command signal printed text that is not a number: its excerpt reaches the reason, the why and the summary.
        // Whoever controls that stdout (a report built from PR titles, say) must not put a link or image on the page.
        var signal = new SignalDefinition("scan", null, new CommandSource(["/usr/bin/scan"], 60, CommandValue.Stdout, null), null, Condition.TryParse("> 3", out _), Persistence.Immediately, false, null);
        var reading = SignalReading.Unknown("stdout is the text '[Approve the fix](https://evil.example/x) ![t](https://evil.example/t.png)', not a number");
        var decision = LevelEvaluator.Decide([(signal, reading)], EvaluationSettings.Default, PolicyLevel.Green, null, Now);
        var summary = new JobSummary();
        EvaluationText.Summary(summary, new EvaluationResult(decision, true, TimeSpan.Zero, new Dictionary<string, TimeSpan>()), "state/policy_state.json");
        var markdown = summary.Render();

        foreach (var line in markdown.Split('\n').Where(l => l.Contains("evil.example", StringComparison.Ordinal)))
        {
            var before = line[..line.IndexOf("](https://evil.example", StringComparison.Ordinal)];
            Assert.True(before.Count(c => c == '`') % 2 == 1, $"a Markdown link from stdout renders outside a code span: {line}");
        }
    }
}
