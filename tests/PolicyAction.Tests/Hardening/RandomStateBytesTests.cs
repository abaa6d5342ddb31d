using System.Text;
using CsCheck;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Hardening;

/// <summary>
/// Property: random bytes in any state file never crash the tool, never print a stack trace, never let an
/// applied response run, and never change that file. CsCheck prints the seed and the smallest failing bytes.
/// </summary>
public sealed class RandomStateBytesTests
{
    private const int Iterations = 150;

    public static TheoryData<string, string> StateFiles => new()
    {
        { "state/trust_lock_state.json", "{\"locked\": false, \"unlocks\": []}" },
        { "forensics/safety_brake_state.json", "{\"is_engaged\": false}" },
        { "state/policy_state.json", "{\"level\": \"RED\", \"updated_at\": \"2026-11-24T04:45:00Z\"}" },
        { "state/policy_response_log.jsonl", "{\"timestamp\":\"2026-11-24T04:00:00+00:00\",\"event\":\"brake_released\",\"actor\":\"octocat\"}" },
    };

    /// <summary>Random bytes: anything at all that is not blank (a blank file is a documented, handled case).</summary>
    private static readonly Gen<byte[]> Noise = Gen.Byte.Array[1, 600].Where(b => !b.AsSpan().Trim(" \t\r\n"u8).IsEmpty);

    [Theory]
    [MemberData(nameof(StateFiles))]
    public void Random_bytes_never_crash_apply_or_change_the_file(string file, string valid)
    {
        // Pure noise, and a valid file cut short with noise after it (closer to a torn write or a bad edit).
        var truncated = Gen.Int[1, valid.Length - 1].SelectMany(cut => Gen.Byte.Array[0, 40].Select(tail => (byte[])[.. Encoding.UTF8.GetBytes(valid[..cut]), .. tail]));
        Gen.OneOf(Noise, truncated)
            .Select(bytes => file.EndsWith(".jsonl", StringComparison.Ordinal) ? [.. bytes, (byte)'\n'] : bytes)
            .Sample(bytes => AssertFailsClosed(file, bytes), iter: Iterations);
    }

    private static void AssertFailsClosed(string file, byte[] bytes)
    {
        using var workspace = new TempWorkspace().WithConfig(BadInputCorpusTests.Config).Write("mirrors/anchor.json", "anchor\n");
        workspace.WriteBytes(file, bytes);
        string[] args = file == "state/policy_state.json" ? ["respond", "--apply"] : ["respond", "--policy", "RED", "--apply"];

        var result = CliHarness.RunAsync(workspace, args).GetAwaiter().GetResult();

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(Path.GetFileName(file), result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.False(workspace.Exists("applied.marker"), "an action ran");
        Assert.Equal(bytes, workspace.ReadBytes(file));
    }
}
