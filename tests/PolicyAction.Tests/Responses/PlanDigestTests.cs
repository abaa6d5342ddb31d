using PolicyAction.Configuration;
using PolicyAction.Gates;
using PolicyAction.Responses;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Responses;

public class PlanDigestTests
{
    private static readonly ActionDefinition Copy = new("mirror", "d", ["/bin/cp", "a", "b"], 300, false, ["b"], null);

    private static GateEvaluation Gates(bool rateLimitPasses = true, string observed = "0") => new(
        CliHarness.Now,
        rateLimitPasses,
        [
            new GateResult(GateNames.TrustGuard, true, "unlocked", "unlocked", ""),
            new GateResult(GateNames.RateLimit, rateLimitPasses, observed, "< 10", "detail " + observed),
        ]);

    private static string Digest(ActionDefinition? action = null, GateEvaluation? gates = null, PolicyLevel level = PolicyLevel.Red, string? lockId = null, DateTimeOffset? brake = null) =>
        PlanDigest.Compute(level, [action ?? Copy], (gates ?? Gates()).Gates, lockId, brake);

    [Fact]
    public void Is_a_prefixed_sha256_and_stable_for_the_same_plan()
    {
        var digest = Digest();

        Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
        Assert.Equal(digest, Digest());
    }

    [Fact]
    public void Changes_with_everything_that_decides_what_runs()
    {
        var baseline = Digest();
        string[] variants =
        [
            Digest(level: PolicyLevel.Yellow),
            Digest(Copy with { Run = ["/bin/cp", "a", "c"] }),
            Digest(Copy with { Run = ["/bin/cp", "a b"] }),
            Digest(Copy with { Id = "other" }),
            Digest(Copy with { TimeoutSeconds = 10 }),
            Digest(Copy with { ContinueOnError = true }),
            Digest(Copy with { ReversiblePaths = ["c"] }),
            Digest(gates: Gates(rateLimitPasses: false)),
            Digest(lockId: "L-1"),
            Digest(brake: CliHarness.Now),
        ];

        Assert.All(variants, v => Assert.NotEqual(baseline, v));
        Assert.Equal(variants.Length, variants.Distinct().Count());
    }

    [Fact]
    public void Ignores_what_drifts_with_the_clock_while_the_verdicts_hold()
    {
        Assert.Equal(Digest(gates: Gates(observed: "0")), Digest(gates: Gates(observed: "3")));
        Assert.Equal(Digest(Copy with { Description = "reworded" }), Digest());
    }
}
