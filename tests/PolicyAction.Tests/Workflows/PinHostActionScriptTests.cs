using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Workflows;

/// <summary>
/// .github/scripts/pin-host-action.sh, run with bash on a copy of host/action.yml as the release workflow runs it: it
/// writes the image digest and the binary's SHA-256 into the two pins and changes no other line; bad arguments or a
/// file without exactly one line of each pin leave the file as it was.
/// </summary>
public sealed class PinHostActionScriptTests
{
    private const string Image = "ghcr.io/my-org/policy-response@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private static readonly string BinarySha = new('b', 64);

    private static string Script => Path.Combine(RepositoryRoot.Path, ".github", "scripts", "pin-host-action.sh");

    private static TempWorkspace CopyOfHostAction() =>
        new TempWorkspace().WriteBytes("host/action.yml", File.ReadAllBytes(Path.Combine(RepositoryRoot.Path, "host", "action.yml")));

    private static Task<CliResult> Pin(TempWorkspace workspace, string image, string sha) =>
        ExternalProcess.RunAsync("bash", [Script, image, sha, "host/action.yml"], workspace.Root);

    [Fact]
    public async Task The_two_pins_are_written_and_nothing_else_changes()
    {
        using var workspace = CopyOfHostAction();
        var before = workspace.Read("host/action.yml").Split('\n');

        var result = await Pin(workspace, Image, BinarySha);

        Assert.True(result.ExitCode == 0, result.ToString());
        var after = workspace.Read("host/action.yml").Split('\n');
        Assert.Equal(before.Length, after.Length);
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).Select(i => (before[i], after[i]));
        Assert.Equal(
            [
                ("        POLICY_RESPONSE_IMAGE: unreleased", $"        POLICY_RESPONSE_IMAGE: {Image}"),
                ("        POLICY_RESPONSE_BINARY_SHA256: unreleased", $"        POLICY_RESPONSE_BINARY_SHA256: {BinarySha}"),
            ],
            changed);
        Assert.Equal(["action.yml"], Directory.GetFiles(workspace.PathOf("host")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_pinned_file_is_pinned_again_to_the_new_release()
    {
        using var workspace = CopyOfHostAction();
        Assert.Equal(0, (await Pin(workspace, Image, BinarySha)).ExitCode);
        var newer = Image[..^64] + new string('c', 64);

        var result = await Pin(workspace, newer, new string('d', 64));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"POLICY_RESPONSE_IMAGE: {newer}\n", workspace.Read("host/action.yml"), StringComparison.Ordinal);
        Assert.Contains($"POLICY_RESPONSE_BINARY_SHA256: {new string('d', 64)}\n", workspace.Read("host/action.yml"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ghcr.io/my-org/policy-response:v2.5.1", "")] // a tag moves; only a digest pins
    [InlineData("ghcr.io/my-org/policy-response@sha256:0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C4B5A69788796A5B4C3D2E1F0", "")]
    [InlineData("", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")] // 63 digits
    [InlineData("", "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")]
    [InlineData("", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\nrun: curl x | sh")]
    public async Task A_bad_image_or_sha_fails_and_leaves_the_file_as_it_was(string image, string sha)
    {
        using var workspace = CopyOfHostAction();
        var before = workspace.ReadBytes("host/action.yml");

        var result = await Pin(workspace, image.Length == 0 ? Image : image, sha.Length == 0 ? BinarySha : sha);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("pin-host-action", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, workspace.ReadBytes("host/action.yml"));
        Assert.Equal(["action.yml"], Directory.GetFiles(workspace.PathOf("host")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("runs:\n  steps:\n    - env:\n        POLICY_RESPONSE_IMAGE: unreleased\n")]
    [InlineData("env:\n  POLICY_RESPONSE_IMAGE: unreleased\n  POLICY_RESPONSE_BINARY_SHA256: unreleased\n  POLICY_RESPONSE_IMAGE: unreleased\n")]
    public async Task A_file_without_exactly_one_line_of_each_pin_fails_unchanged(string yaml)
    {
        using var workspace = new TempWorkspace().Write("host/action.yml", yaml);

        var result = await Pin(workspace, Image, BinarySha);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(yaml, workspace.Read("host/action.yml"));
    }
}
