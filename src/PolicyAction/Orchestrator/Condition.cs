using System.Globalization;
using PolicyAction.Output;

namespace PolicyAction.Orchestrator;

internal enum ConditionOperator
{
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Equal,
    NotEqual,

    /// <summary>The value is there (any number).</summary>
    Exists,

    /// <summary>The value is absent (no file, no value at the pointer).</summary>
    Missing,
}

/// <summary>
/// A comparison of a signal's value, as written in the configuration: <c>&gt; 3</c>, <c>&gt;= 0.2</c>, <c>== 0</c>,
/// <c>&lt; 26h</c> (a duration compares as seconds), <c>exists</c> or <c>missing</c>.
/// </summary>
internal sealed record Condition(ConditionOperator Operator, double Operand, string Text)
{
    private static readonly (string Symbol, ConditionOperator Operator)[] Symbols =
    [
        (">=", ConditionOperator.GreaterOrEqual),
        ("<=", ConditionOperator.LessOrEqual),
        ("==", ConditionOperator.Equal),
        ("!=", ConditionOperator.NotEqual),
        (">", ConditionOperator.Greater),
        ("<", ConditionOperator.Less),
    ];

    public const string Expected = "expected a comparison such as \"> 3\", \">= 0.2\", \"== 0\" or \"> 26h\" (quoted: YAML reads a bare > as a folded text block), or exists or missing";

    /// <summary>Parses a condition; null and a message saying what was expected when it is not one.</summary>
    public static Condition? TryParse(string? text, out string? problem)
    {
        problem = null;
        var trimmed = text?.Trim() ?? string.Empty;
        if (trimmed is "exists" or "missing")
        {
            return new Condition(trimmed == "exists" ? ConditionOperator.Exists : ConditionOperator.Missing, 0, trimmed);
        }

        foreach (var (symbol, op) in Symbols)
        {
            if (!trimmed.StartsWith(symbol, StringComparison.Ordinal))
            {
                continue;
            }

            var operand = trimmed[symbol.Length..].Trim();
            if (operand.Length == 0)
            {
                problem = $"'{symbol}' has no number or duration after the comparison; {Expected}";
                return null;
            }

            if (double.TryParse(operand, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            {
                return new Condition(op, number, $"{symbol} {operand}");
            }

            if (Durations.TryParse(operand, out var duration))
            {
                return new Condition(op, duration.TotalSeconds, $"{symbol} {operand}");
            }

            problem = $"'{trimmed}': '{operand}' is not a number or a duration; {Expected}";
            return null;
        }

        problem = trimmed.Length == 0 ? $"is empty; {Expected}" : $"'{trimmed}' is not a condition; {Expected}";
        return null;
    }

    /// <summary>Whether the reading meets the condition; null when it cannot say (unknown, or absent for a comparison).</summary>
    public bool? IsMetBy(SignalReading reading)
    {
        if (reading.IsUnknown)
        {
            return null;
        }

        if (Operator is ConditionOperator.Exists or ConditionOperator.Missing)
        {
            return (Operator == ConditionOperator.Exists) != reading.IsAbsent;
        }

        // NaN compares false to everything and unequal to everything: "!= 0" would fire on a value that is no number.
        if (reading.Value is not { } value || double.IsNaN(value))
        {
            return null;
        }

        return Operator switch
        {
            ConditionOperator.Greater => value > Operand,
            ConditionOperator.GreaterOrEqual => value >= Operand,
            ConditionOperator.Less => value < Operand,
            ConditionOperator.LessOrEqual => value <= Operand,
            ConditionOperator.Equal => value == Operand,
            _ => value != Operand,
        };
    }

    public override string ToString() => Text;
}
