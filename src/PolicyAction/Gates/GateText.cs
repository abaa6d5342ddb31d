using PolicyAction.Output;

namespace PolicyAction.Gates;

/// <summary>The gates table people read in a terminal and in the job log.</summary>
internal static class GateText
{
    public static string Table(GateEvaluation evaluation) =>
        TextTable.Render(
            ["GATE", "RESULT", "OBSERVED", "LIMIT", "DETAIL"],
            evaluation.Gates.Select(g => (IReadOnlyList<string>)[g.Name, g.Passed ? "pass" : "BLOCK", g.Observed, g.Limit, g.Detail]));
}
