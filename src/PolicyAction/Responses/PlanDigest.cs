using System.Security.Cryptography;
using System.Text.Json;
using PolicyAction.Configuration;
using PolicyAction.Gates;

namespace PolicyAction.Responses;

/// <summary>
/// SHA-256 over a canonical encoding of what a response would do and the gate state it saw, so that
/// <c>respond --apply --plan-digest D</c> runs exactly the plan a reviewer approved, or nothing.
/// </summary>
/// <remarks>
/// Covered: the level; each action's id, configured argv, timeout, continue_on_error and reversible paths;
/// the name and verdict of each gate it covers (trust guard, safety brake, rate limit, manual unlocks); the trust lock's id and the brake's engagement time. Counts that drift with
/// the clock (responses and unlocks in the window) enter only through their gate's verdict.
/// </remarks>
internal static class PlanDigest
{
    public const string Format = "policy-response/plan/v1";

    /// <param name="gates">The verdicts of the gates the digest covers (<see cref="IGate.CoveredByPlanDigest"/>).</param>
    public static string Compute(PolicyLevel level, IReadOnlyList<ActionDefinition> actions, IReadOnlyList<GateResult> gates, string? trustLockId, DateTimeOffset? brakeEngagedAt)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("policy", level.ToName());
            json.WriteStartArray("actions");
            foreach (var action in actions)
            {
                json.WriteStartObject();
                json.WriteString("id", action.Id);
                json.WriteStartArray("run");
                foreach (var argument in action.Run)
                {
                    json.WriteStringValue(argument);
                }

                json.WriteEndArray();
                json.WriteNumber("timeout_seconds", action.TimeoutSeconds);
                json.WriteBoolean("continue_on_error", action.ContinueOnError);
                json.WriteStartArray("reversible_paths");
                foreach (var path in action.ReversiblePaths)
                {
                    json.WriteStringValue(path);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("gates");
            foreach (var gate in gates.OrderBy(g => g.Name, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("name", gate.Name);
                json.WriteBoolean("passed", gate.Passed);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("trust_lock_id", trustLockId);
            json.WriteString("brake_engaged_at", brakeEngagedAt?.UtcDateTime.ToString("O"));
            json.WriteEndObject();
        }

        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }
}
