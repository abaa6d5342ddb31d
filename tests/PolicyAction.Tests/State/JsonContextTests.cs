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
    public static TheoryData<string> IndentedContexts => ["gates", "responses", "status", "alerts"];

    private static JsonSerializerContext Context(string name) => name switch
    {
        "gates" => GateJsonContext.Default,
        "responses" => ResponseJsonContext.Default,
        "status" => StatusJsonContext.Default,
        "alerts" => AlertJsonContext.Default,
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
        Assert.Equal(expected.Converters.Select(c => c.GetType()), actual.Converters.Select(c => c.GetType()));
    }
}
