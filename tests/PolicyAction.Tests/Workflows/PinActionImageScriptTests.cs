using PolicyAction.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace PolicyAction.Tests.Workflows;

/// <summary>
/// .github/scripts/pin-action-image.sh, run with bash on a copy of action.yml as the release workflow runs it: it points
/// runs.image at the pushed image by digest and changes no other line; a bad reference or file leaves the file as it was.
/// </summary>
public sealed class PinActionImageScriptTests
{
    private const string Digest = "sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private const string Image = "ghcr.io/my-org/policy-response";

    private static string Script => Path.Combine(RepositoryRoot.Path, ".github", "scripts", "pin-action-image.sh");

    private static TempWorkspace CopyOfActionYml() =>
        new TempWorkspace().WriteBytes("action.yml", File.ReadAllBytes(Path.Combine(RepositoryRoot.Path, "action.yml")));

    private static Task<CliResult> Pin(TempWorkspace workspace, string reference) =>
        ExternalProcess.RunAsync("bash", [Script, reference, "action.yml"], workspace.Root);

    private static YamlMappingNode Runs(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["runs"];
    }

    [Fact]
    public async Task The_image_becomes_the_pushed_image_by_digest_and_nothing_else_changes()
    {
        using var workspace = CopyOfActionYml();
        var before = workspace.Read("action.yml");

        var result = await Pin(workspace, $"{Image}@{Digest}");

        Assert.True(result.ExitCode == 0, result.ToString());
        var after = workspace.Read("action.yml");
        var runs = Runs(after);
        Assert.Equal($"docker://{Image}@{Digest}", ((YamlScalarNode)runs["image"]).Value);
        Assert.Equal("docker", ((YamlScalarNode)runs["using"]).Value);
        Assert.Equal(["action"], ((YamlSequenceNode)runs["args"]).Children.Select(a => ((YamlScalarNode)a).Value));

        var beforeLines = before.Split('\n');
        var afterLines = after.Split('\n');
        Assert.Equal(beforeLines.Length, afterLines.Length);
        var changed = Enumerable.Range(0, beforeLines.Length).Where(i => beforeLines[i] != afterLines[i]).ToArray();
        var line = Assert.Single(changed);
        Assert.Equal("  image: Dockerfile", beforeLines[line]);
        Assert.Equal($"  image: 'docker://{Image}@{Digest}'", afterLines[line]);
        Assert.Equal(["action.yml"], Directory.GetFiles(workspace.Root).Select(Path.GetFileName));
    }

    [Fact]
    public async Task An_already_pinned_action_yml_is_pinned_to_the_new_digest()
    {
        using var workspace = CopyOfActionYml();
        Assert.Equal(0, (await Pin(workspace, $"{Image}@{Digest}")).ExitCode);
        var newer = "sha256:" + new string('a', 64);

        var result = await Pin(workspace, $"{Image}@{newer}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"docker://{Image}@{newer}", ((YamlScalarNode)Runs(workspace.Read("action.yml"))["image"]).Value);
    }

    [Theory]
    [InlineData("ghcr.io/my-org/policy-response@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f")] // 63 hex digits
    [InlineData("ghcr.io/my-org/policy-response@sha256:0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C4B5A69788796A5B4C3D2E1F0")] // upper case
    [InlineData("ghcr.io/my-org/policy-response@sha512:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0")]
    [InlineData("ghcr.io/my-org/policy-response:v2.5.1")] // a tag moves; only a digest pins
    [InlineData("ghcr.io/My-Org/policy-response@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0")] // registries want lower case
    [InlineData("docker://ghcr.io/my-org/policy-response@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0")]
    [InlineData("ghcr.io/my-org/policy-response@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0'\nentrypoint: x")]
    [InlineData("@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0")]
    [InlineData("")]
    public async Task A_bad_image_reference_fails_and_leaves_action_yml_as_it_was(string reference)
    {
        using var workspace = CopyOfActionYml();
        var before = workspace.ReadBytes("action.yml");

        var result = await Pin(workspace, reference);

        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains("pin-action-image", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, workspace.ReadBytes("action.yml"));
        Assert.Equal(["action.yml"], Directory.GetFiles(workspace.Root).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("runs:\n  using: docker\n  args:\n    - action\n")]
    [InlineData("runs:\n  using: docker\n  image: Dockerfile\n  pre-image: x\n  args:\n    - action\nother:\n  image: Dockerfile\n")]
    public async Task An_action_yml_without_exactly_one_image_line_fails_unchanged(string yaml)
    {
        using var workspace = new TempWorkspace().Write("action.yml", yaml);

        var result = await Pin(workspace, $"{Image}@{Digest}");

        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Equal(yaml, workspace.Read("action.yml"));
    }
}
