using System.Text.Json;
using System.Text.Json.Serialization;
using PolicyAction.Alerts;
using PolicyAction.Gates;
using PolicyAction.Responses;
using PolicyAction.State;
using PolicyAction.Status;

namespace PolicyAction.Tests.State;

/// <summary>Each feature owns its JSON context; the files they write must still share one contract.</summary>
public class JsonContextTests
{
    public static TheoryData<string> IndentedContexts => ["gates", "responses", "status", "alerts", "orchestrator", "safety"];

    private static JsonSerializerContext Context(string name) => name switch
    {
        "gates" => GateJsonContext.Default,
        "responses" => ResponseJsonContext.Default,
        "status" => StatusJsonContext.Default,
        "alerts" => AlertJsonContext.Default,
        "orchestrator" => PolicyAction.Orchestrator.OrchestratorJsonContext.Default,
        "safety" => PolicyAction.Safety.SafetyJsonContext.Default,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(IndentedContexts))]
    public void A_feature_context_has_the_state_files_options(string name) =>
        AssertSameOptions(StateJsonContext.Default.Options, Context(name).Options);

    [Fact]
    public void The_alert_history_has_the_audit_logs_one_line_options() =>
        AssertSameOptions(CompactJsonContext.Default.Options, AlertHistoryJsonContext.Default.Options);

    private static void AssertSameOptions(JsonSerializerOptions expected, JsonSerializerOptions actual)
    {
        Assert.Equal(expected.PropertyNamingPolicy?.ConvertName("SafetyGatesPassed"), actual.PropertyNamingPolicy?.ConvertName("SafetyGatesPassed"));
        Assert.Equal(expected.DefaultIgnoreCondition, actual.DefaultIgnoreCondition);
        Assert.Equal(expected.WriteIndented, actual.WriteIndented);
        Assert.Equal(expected.AllowTrailingCommas, actual.AllowTrailingCommas);
        Assert.Equal(expected.ReadCommentHandling, actual.ReadCommentHandling);
        Assert.Equal(expected.AllowDuplicateProperties, actual.AllowDuplicateProperties);
        Assert.Equal(expected.Converters.Select(c => c.GetType()), actual.Converters.Select(c => c.GetType()));
    }

    [Fact]
    public void Modes_and_statuses_are_written_and_read_by_their_wire_names()
    {
        var report = new ResponseReport
        {
            ResponseId = Guid.Empty,
            Policy = "RED",
            Mode = ResponseMode.DryRun,
            CreatedAt = DateTimeOffset.UnixEpoch,
            ActionsPlanned = 1,
            SafetyGatesPassed = true,
            BlockedBy = [],
            Gates = [],
            Results = [new ActionReport { Action = "a", Command = ["/bin/true"], Status = ActionStatus.TimedOut, Stdout = string.Empty, Reversible = false }],
            PlanDigest = "sha256:0",
        };

        var json = JsonSerializer.Serialize(report, ResponseJsonContext.Default.ResponseReport);

        Assert.Contains("\"mode\": \"dry-run\"", json, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"timed_out\"", json, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize(json, ResponseJsonContext.Default.ResponseReport)!;
        Assert.Equal((ResponseMode.DryRun, ActionStatus.TimedOut), (back.Mode, back.Results[0].Status));
        Assert.Equal(["dry-run", "apply"], Enum.GetValues<ResponseMode>().Select(m => m.ToWire()));
        Assert.Equal(["planned", "succeeded", "failed", "timed_out", "skipped"], Enum.GetValues<ActionStatus>().Select(m => m.ToWire()));
    }
}
