using System.Text;

namespace PolicyAction.State;

/// <summary>What <c>verify-log</c> prints: the chain intact with its checkpoint, or where it breaks.</summary>
internal static class VerificationText
{
    public static string Render(LogVerification verification, string log)
    {
        var text = new StringBuilder();
        foreach (var warning in verification.Warnings)
        {
            text.Append($"warning: {log}: {warning}\n");
        }

        if (verification.Intact)
        {
            text.Append(verification.Records == 0
                ? $"{log}: no records yet; nothing to verify\n"
                : $"{log}: chain intact, {verification.Records} record(s){(verification.Segments > 1 ? $" in {verification.Segments} segments" : string.Empty)}\n"
                    + $"checkpoint: {verification.Head}{(verification.Segment is { } segment ? $" (in {segment})" : string.Empty)}\n");
        }
        else
        {
            text.Append($"{log}: chain BROKEN{(verification.BadLine is { } line ? $" at {(verification.Segment is { } segment ? $"{segment} " : string.Empty)}line {line}" : string.Empty)}\n");
            text.Append($"  {verification.Problem}\n");
            text.Append(verification.Records == 0
                ? "  no record before it verifies\n"
                : $"  records up to {verification.Head.Seq} verify (checkpoint {verification.Head})\n");
        }

        return text.ToString();
    }
}
