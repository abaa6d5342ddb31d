using PolicyAction.Orchestrator;

namespace PolicyAction.Tests.Orchestrator;

/// <summary>
/// Conditions as written in the configuration: every operator, numbers and durations, exists and missing, the
/// problems a mistyped one reports, and how each judges a number, an absent value and an unknown one.
/// </summary>
public sealed class ConditionTests
{
    public static TheoryData<string, string, double, string> Parsed => new()
    {
        { "> 3", nameof(ConditionOperator.Greater), 3, "> 3" },
        { ">= 0.2", nameof(ConditionOperator.GreaterOrEqual), 0.2, ">= 0.2" },
        { "< 1", nameof(ConditionOperator.Less), 1, "< 1" },
        { "<= 10", nameof(ConditionOperator.LessOrEqual), 10, "<= 10" },
        { "== 0", nameof(ConditionOperator.Equal), 0, "== 0" },
        { "!= 0", nameof(ConditionOperator.NotEqual), 0, "!= 0" },
        { ">3", nameof(ConditionOperator.Greater), 3, "> 3" },
        { ">=3", nameof(ConditionOperator.GreaterOrEqual), 3, ">= 3" },
        { "  <=   4  ", nameof(ConditionOperator.LessOrEqual), 4, "<= 4" },
        { ">\t5", nameof(ConditionOperator.Greater), 5, "> 5" },
        { "> -1", nameof(ConditionOperator.Greater), -1, "> -1" },
        { "> +2", nameof(ConditionOperator.Greater), 2, "> +2" },
        { "< .5", nameof(ConditionOperator.Less), 0.5, "< .5" },
        { "== 5.", nameof(ConditionOperator.Equal), 5, "== 5." },
        { "> 90s", nameof(ConditionOperator.Greater), 90, "> 90s" },
        { "> 30m", nameof(ConditionOperator.Greater), 1800, "> 30m" },
        { "> 26h", nameof(ConditionOperator.Greater), 93600, "> 26h" },
        { ">= 3d", nameof(ConditionOperator.GreaterOrEqual), 259200, ">= 3d" },
        { "< 0s", nameof(ConditionOperator.Less), 0, "< 0s" },
        { "exists", nameof(ConditionOperator.Exists), 0, "exists" },
        { " missing ", nameof(ConditionOperator.Missing), 0, "missing" },
    };

    [Theory]
    [MemberData(nameof(Parsed))]
    public void Conditions_parse_to_an_operator_and_an_operand_in_seconds_for_durations(string text, string op, double operand, string shown)
    {
        var condition = Condition.TryParse(text, out var problem);

        Assert.Null(problem);
        Assert.NotNull(condition);
        Assert.Equal(Enum.Parse<ConditionOperator>(op), condition.Operator);
        Assert.Equal(operand, condition.Operand);
        Assert.Equal(shown, condition.Text);
        Assert.Equal(shown, condition.ToString());
    }

    public static TheoryData<string?, string> Refused => new()
    {
        { null, $"is empty; {Condition.Expected}" },
        { "", $"is empty; {Condition.Expected}" },
        { "   ", $"is empty; {Condition.Expected}" },
        { "3", $"'3' is not a condition; {Condition.Expected}" },
        { "= 3", $"'= 3' is not a condition; {Condition.Expected}" },
        { "=> 3", $"'=> 3' is not a condition; {Condition.Expected}" },
        { "! 3", $"'! 3' is not a condition; {Condition.Expected}" },
        { "Exists", $"'Exists' is not a condition; {Condition.Expected}" },
        { "exists > 3", $"'exists > 3' is not a condition; {Condition.Expected}" },
        { "greater than 3", $"'greater than 3' is not a condition; {Condition.Expected}" },
        { ">", $"'>' has no number or duration after the comparison; {Condition.Expected}" },
        { ">=  ", $"'>=' has no number or duration after the comparison; {Condition.Expected}" },
        { "> three", $"'> three': 'three' is not a number or a duration; {Condition.Expected}" },
        { "> 1,000", $"'> 1,000': '1,000' is not a number or a duration; {Condition.Expected}" },
        { "> 1e3", $"'> 1e3': '1e3' is not a number or a duration; {Condition.Expected}" },
        { "> NaN", $"'> NaN': 'NaN' is not a number or a duration; {Condition.Expected}" },
        { "> Infinity", $"'> Infinity': 'Infinity' is not a number or a duration; {Condition.Expected}" },
        { "> -Infinity", $"'> -Infinity': '-Infinity' is not a number or a duration; {Condition.Expected}" },
        { "> 26 h", $"'> 26 h': '26 h' is not a number or a duration; {Condition.Expected}" },
        { "> 1.5h", $"'> 1.5h': '1.5h' is not a number or a duration; {Condition.Expected}" },
        { "> -5m", $"'> -5m': '-5m' is not a number or a duration; {Condition.Expected}" },
        { "> 2w", $"'> 2w': '2w' is not a number or a duration; {Condition.Expected}" },
        { "> 3 4", $"'> 3 4': '3 4' is not a number or a duration; {Condition.Expected}" },
        { "<> 3", $"'<> 3': '> 3' is not a number or a duration; {Condition.Expected}" },
        { ">> 3", $"'>> 3': '> 3' is not a number or a duration; {Condition.Expected}" },
        { "> 100001s", $"'> 100001s': '100001s' is not a number or a duration; {Condition.Expected}" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_mistyped_condition_is_refused_saying_what_was_expected(string? text, string expected)
    {
        var condition = Condition.TryParse(text, out var problem);

        Assert.Null(condition);
        Assert.Equal(expected, problem);
    }

    [Fact]
    public void The_expectation_says_to_quote_a_comparison_since_yaml_reads_a_bare_greater_than_as_folded_text()
    {
        Assert.Contains("quoted", Condition.Expected, StringComparison.Ordinal);
        Assert.Contains("exists or missing", Condition.Expected, StringComparison.Ordinal);
    }

    private static readonly SignalReading Three = SignalReading.Number(3);
    private static readonly SignalReading Zero = SignalReading.Number(0);
    private static readonly SignalReading Fraction = SignalReading.Number(0.2);
    private static readonly SignalReading DayAndHour = SignalReading.Seconds(90000);
    private static readonly SignalReading Nothing = SignalReading.Absent("no file");
    private static readonly SignalReading Refusal = SignalReading.Unknown("needs `actions: read`");

    public static TheoryData<string, string, bool?> Judged => new()
    {
        { "> 3", nameof(Three), false },
        { ">= 3", nameof(Three), true },
        { "< 3", nameof(Three), false },
        { "<= 3", nameof(Three), true },
        { "== 3", nameof(Three), true },
        { "!= 3", nameof(Three), false },
        { "> 2", nameof(Three), true },
        { "< 4", nameof(Three), true },
        { "!= 0", nameof(Three), true },
        { "== 0", nameof(Zero), true },
        { "!= 0", nameof(Zero), false },
        { "> -1", nameof(Zero), true },
        { ">= 0.2", nameof(Fraction), true },
        { "> 0.2", nameof(Fraction), false },
        { "> 24h", nameof(DayAndHour), true },
        { "> 26h", nameof(DayAndHour), false },
        { "== 25h", nameof(DayAndHour), true },
        { "> 1d", nameof(DayAndHour), true },
        { "exists", nameof(Three), true },
        { "exists", nameof(Zero), true },
        { "missing", nameof(Zero), false },
        { "exists", nameof(Nothing), false },
        { "missing", nameof(Nothing), true },

        // A comparison cannot judge nothing: the signal is unknown, not calm.
        { "> 3", nameof(Nothing), null },
        { "== 0", nameof(Nothing), null },
        { "!= 0", nameof(Nothing), null },
        { "< 1", nameof(Nothing), null },

        // Unknown is unknown to every condition, exists and missing included.
        { "> 3", nameof(Refusal), null },
        { "== 0", nameof(Refusal), null },
        { "exists", nameof(Refusal), null },
        { "missing", nameof(Refusal), null },
    };

    [Theory]
    [MemberData(nameof(Judged))]
    public void A_condition_judges_numbers_absent_and_unknown_readings(string text, string reading, bool? met)
    {
        var condition = Condition.TryParse(text, out var problem)!;
        Assert.Null(problem);

        Assert.Equal(met, condition.IsMetBy(Reading(reading)));
    }

    [Fact]
    public void A_value_that_is_not_a_number_meets_no_comparison()
    {
        // No provider should give NaN; if one did, "!= 0" must not fire on it (NaN != 0 is true in IEEE arithmetic).
        var nan = SignalReading.Number(double.NaN);

        Assert.All(["> 0", ">= 0", "< 0", "<= 0", "== 0", "!= 0"], text => Assert.Null(Condition.TryParse(text, out _)!.IsMetBy(nan)));
        Assert.True(Condition.TryParse("exists", out _)!.IsMetBy(nan));
    }

    private static SignalReading Reading(string name) => name switch
    {
        nameof(Three) => Three,
        nameof(Zero) => Zero,
        nameof(Fraction) => Fraction,
        nameof(DayAndHour) => DayAndHour,
        nameof(Nothing) => Nothing,
        _ => Refusal,
    };
}
