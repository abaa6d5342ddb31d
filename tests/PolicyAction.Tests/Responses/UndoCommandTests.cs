using System.Security.Cryptography;
using System.Text;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Responses;

/// <summary><c>policy-response undo</c> as an operator runs it: the built tool as a real process, after a real apply.</summary>
public sealed class UndoCommandTests : IDisposable
{
    private const string Original = "{\"chain\": [1]}\n";
    private const string LeftByTheAction = "left by the action\n";

    private const string Config = """
        version: 1
        levels:
          RED:
            - id: gate_check
              run: ["/bin/sh", "-c", "test ! -e fail_first"]
            - id: mirror
              run: ["/bin/sh", "-c", "printf 'left by the action\\n' > mirrors/chain.json"]
              reversible:
                paths: ["mirrors/chain.json"]
        """;

    private readonly TempWorkspace _workspace = new TempWorkspace().WithConfig(Config).Write("mirrors/chain.json", Original);

    public void Dispose() => _workspace.Dispose();

    private Task<CliResult> Run(params string[] args) => ProcessCli.RunAsync(_workspace, args);

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private async Task<string> Apply()
    {
        var applied = await Run("respond", "--policy", "RED", "--apply");
        Assert.True(applied.ExitCode == 0, applied.ToString());
        var record = Assert.Single(Directory.GetFiles(_workspace.PathOf("state"), "policy_response_undo_*.json"));
        return Path.GetFileNameWithoutExtension(record)["policy_response_undo_".Length..];
    }

    [Fact]
    public async Task An_edit_made_after_the_response_is_refused_with_both_hashes_and_force_restores_over_it()
    {
        var id = await Apply();
        Assert.Equal(LeftByTheAction, _workspace.Read("mirrors/chain.json"));
        _workspace.Write("mirrors/chain.json", "fixed by hand since\n");

        var preview = await Run("undo", id);
        Assert.True(preview.ExitCode == 0, preview.ToString());
        Assert.Contains($"mirrors/chain.json: CHANGED since the response (the response left sha256 {Sha(LeftByTheAction)}, it holds sha256 {Sha("fixed by hand since\n")} now)", preview.Stdout, StringComparison.Ordinal);

        var refused = await Run("undo", id, "--apply");
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains($"mirrors/chain.json: the response left sha256 {Sha(LeftByTheAction)}, it holds sha256 {Sha("fixed by hand since\n")} now", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains($"policy-response undo {id} --apply --force", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("fixed by hand since\n", _workspace.Read("mirrors/chain.json"));
        Assert.Contains("\"status\": \"complete\"", _workspace.Read($"state/policy_response_undo_{id}.json"), StringComparison.Ordinal);
        Assert.DoesNotContain(_workspace.AuditLines(), l => l.Contains(AuditEvents.UndoApplied, StringComparison.Ordinal));

        var forced = await Run("undo", id, "--apply", "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains($"now); --force: restoring {Original.Length} bytes", forced.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("would", forced.Stdout, StringComparison.Ordinal);
        Assert.Equal(Original, _workspace.Read("mirrors/chain.json"));
        Assert.Contains(_workspace.AuditLines(), l => l.Contains(AuditEvents.UndoApplied, StringComparison.Ordinal) && l.Contains("--force: restored over changes made since the response to mirrors/chain.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_path_as_the_response_left_it_is_restored_without_force()
    {
        var id = await Apply();

        var preview = await Run("undo", id);
        Assert.Contains("mirrors/chain.json: holds what the response left; would restore", preview.Stdout, StringComparison.Ordinal);

        var undone = await Run("undo", id, "--apply");
        Assert.True(undone.ExitCode == 0, undone.ToString());
        Assert.Equal(Original, _workspace.Read("mirrors/chain.json"));
        // An apply says what it does, not what it would do.
        Assert.Contains($"undo of response {id} (RED, complete) — applying", undone.Stdout, StringComparison.Ordinal);
        Assert.Contains($"mirrors/chain.json: holds what the response left; restoring {Original.Length} bytes (sha256 {Sha(Original)[..12]}…)", undone.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("would", undone.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_apply_prints_no_undo_hint_for_the_reversible_action_it_skipped()
    {
        _workspace.Write("fail_first", "");

        var failed = await Run("respond", "--policy", "RED", "--apply");

        Assert.True(failed.ExitCode == 1, failed.ToString());
        Assert.Contains("mirror [skipped]", failed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("policy-response undo", failed.Stdout + failed.Stderr, StringComparison.Ordinal);
        Assert.Contains("did not run, nothing to undo", failed.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_workspace.PathOf("state"), "policy_response_undo_*.json"));
        Assert.Equal(Original, _workspace.Read("mirrors/chain.json"));
    }
}
