using System.Text.RegularExpressions;
using PolicyAction.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace PolicyAction.Tests.Workflows;

/// <summary>
/// .github/workflows/release.yml: a tag v2.* releases the image (pushed, attested, pinned by digest in action.yml) and the
/// .NET tool, with the least permissions each job needs. The rules every workflow follows are in WorkflowFileTests.
/// </summary>
public sealed partial class ReleaseWorkflowTests
{
    private const string WorkflowPath = ".github/workflows/release.yml";

    private static readonly YamlMappingNode Workflow = WorkflowFileTests.Load(WorkflowPath);

    private static YamlMappingNode Jobs => (YamlMappingNode)Workflow["jobs"];

    private static YamlMappingNode Job(string name) => (YamlMappingNode)Jobs[name];

    private static IEnumerable<(string Name, YamlMappingNode Job)> AllJobs() =>
        Jobs.Children.Select(p => (((YamlScalarNode)p.Key).Value!, (YamlMappingNode)p.Value));

    private static IEnumerable<YamlMappingNode> StepsOf(YamlMappingNode job) => ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>();

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? ((YamlScalarNode)value).Value : null;

    private static string Runs(YamlMappingNode job) => string.Join('\n', StepsOf(job).Select(s => Scalar(s, "run") ?? string.Empty));

    private static bool Uses(YamlMappingNode job, string action) =>
        StepsOf(job).Any(s => Scalar(s, "uses")?.StartsWith(action + "@", StringComparison.Ordinal) == true);

    private static Dictionary<string, string> Permissions(YamlMappingNode job) =>
        ((YamlMappingNode)job["permissions"]).Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value!);

    private static YamlMappingNode With(YamlMappingNode step) => (YamlMappingNode)step["with"];

    private static YamlMappingNode Env(YamlMappingNode node) => (YamlMappingNode)node["env"];

    private static YamlMappingNode StepNamed(YamlMappingNode job, string name) => StepsOf(job).Single(s => Scalar(s, "name") == name);

    [Fact]
    public void Only_a_pushed_tag_v2_star_starts_it()
    {
        var on = (YamlMappingNode)Workflow["on"];

        Assert.Equal(["push"], on.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        var push = (YamlMappingNode)on["push"];
        Assert.Equal(["tags"], push.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        Assert.Equal(["v2.*"], ((YamlSequenceNode)push["tags"]).Children.Select(t => ((YamlScalarNode)t).Value));
    }

    [Fact]
    public void The_first_job_refuses_any_tag_but_v2_minor_patch_and_every_other_job_waits_for_it()
    {
        var check = Job("check");
        Assert.Contains("bash .github/scripts/release-version.sh \"$TAG\"", Runs(check), StringComparison.Ordinal);
        Assert.Equal("${{ github.ref_name }}", Scalar(Env(StepNamed(check, "Check the tag")), "TAG"));

        foreach (var (name, job) in AllJobs().Where(j => j.Name != "check"))
        {
            var needs = job["needs"] is YamlSequenceNode list ? list.Children.Select(n => ((YamlScalarNode)n).Value!) : [((YamlScalarNode)job["needs"]).Value!];
            Assert.True(needs.Contains("check"), $"job {name} does not wait for check");
        }
    }

    [Fact]
    public void Top_level_permissions_are_empty_and_each_job_holds_only_what_its_steps_use()
    {
        Assert.True(Workflow["permissions"] is YamlMappingNode { Children.Count: 0 }, "top-level permissions must be {}");

        foreach (var (name, job) in AllJobs())
        {
            var permissions = Permissions(job);
            var runs = Runs(job);
            var pushesTags = runs.Contains("git push", StringComparison.Ordinal);
            var attests = Uses(job, "actions/attest-build-provenance");
            var pushesPackages = Uses(job, "docker/login-action") || runs.Contains("dotnet nuget push", StringComparison.Ordinal);

            var expected = new Dictionary<string, string> { ["contents"] = pushesTags ? "write" : "read" };
            if (pushesPackages)
            {
                expected["packages"] = "write";
            }

            if (attests)
            {
                expected["id-token"] = "write";
                expected["attestations"] = "write";
            }

            Assert.True(
                expected.OrderBy(p => p.Key, StringComparer.Ordinal).SequenceEqual(permissions.OrderBy(p => p.Key, StringComparer.Ordinal)),
                $"job {name}: permissions {string.Join(", ", permissions)}; its steps need {string.Join(", ", expected)}");
        }

        Assert.Equal(["pin"], AllJobs().Where(j => Permissions(j.Job)["contents"] == "write").Select(j => j.Name));
        Assert.Equal(["image"], AllJobs().Where(j => Permissions(j.Job).ContainsKey("id-token")).Select(j => j.Name));
    }

    [Fact]
    public void Every_action_is_pinned_to_a_commit_sha_with_its_release_in_a_comment_and_one_sha_per_action()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, WorkflowPath)).Where(l => l.TrimStart().StartsWith("- uses:", StringComparison.Ordinal) || l.TrimStart().StartsWith("uses:", StringComparison.Ordinal)).ToArray();

        Assert.NotEmpty(lines);
        var pins = lines.Select(l => PinnedWithComment().Match(l)).ToArray();
        Assert.All(pins.Zip(lines), p => Assert.True(p.First.Success, $"not pinned to a SHA with a # vX.Y.Z comment: {p.Second.Trim()}"));
        foreach (var action in pins.GroupBy(p => p.Groups["action"].Value))
        {
            Assert.True(action.Select(p => (p.Groups["sha"].Value, p.Groups["release"].Value)).Distinct().Count() == 1, $"{action.Key} is pinned to more than one commit");
        }
    }

    [Fact]
    public void Checkouts_keep_no_credentials_and_the_tags_are_pushed_with_the_token_named_in_the_push()
    {
        foreach (var (name, job) in AllJobs())
        {
            foreach (var checkout in StepsOf(job).Where(s => Scalar(s, "uses")?.StartsWith("actions/checkout@", StringComparison.Ordinal) == true))
            {
                Assert.True(Scalar(With(checkout), "persist-credentials") == "false", $"job {name}: checkout without persist-credentials: false");
            }
        }

        foreach (var push in StepsOf(Job("pin")).Where(s => Scalar(s, "run")?.Contains("git push", StringComparison.Ordinal) == true))
        {
            Assert.Equal("${{ secrets.GITHUB_TOKEN }}", Scalar(Env(push), "GITHUB_TOKEN"));
            Assert.Contains("git push --force \"https://x-access-token:$GITHUB_TOKEN@", Scalar(push, "run"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Two_releases_never_run_at_once()
    {
        var concurrency = (YamlMappingNode)Workflow["concurrency"];

        Assert.False(string.IsNullOrEmpty(Scalar(concurrency, "group")));
        Assert.Equal("false", Scalar(concurrency, "cancel-in-progress"));
    }

    [Fact]
    public void The_image_is_pushed_to_ghcr_under_the_lower_cased_owner_with_the_tag_and_its_provenance_is_attested()
    {
        var names = StepNamed(Job("check"), "Names");
        Assert.Equal("${{ github.repository_owner }}", Scalar(Env(names), "OWNER"));
        Assert.Contains("lower_owner=${OWNER,,}", Scalar(names, "run"), StringComparison.Ordinal);
        Assert.Contains("image=ghcr.io/$lower_owner/policy-response", Scalar(names, "run"), StringComparison.Ordinal);

        var image = Job("image");
        var build = StepsOf(image).Single(s => Scalar(s, "id") == "build");
        Assert.StartsWith("docker/build-push-action@", Scalar(build, "uses"), StringComparison.Ordinal);
        Assert.Equal(("true", "Dockerfile", "${{ needs.check.outputs.image }}:${{ github.ref_name }}"), (Scalar(With(build), "push"), Scalar(With(build), "file"), Scalar(With(build), "tags")));
        Assert.Equal("POLICY_RESPONSE_VERSION=${{ needs.check.outputs.version }}", Scalar(With(build), "build-args"));
        Assert.Contains("ARG POLICY_RESPONSE_VERSION", File.ReadAllText(Path.Combine(RepositoryRoot.Path, "Dockerfile")), StringComparison.Ordinal);

        var attest = StepsOf(image).Single(s => Scalar(s, "uses")?.StartsWith("actions/attest-build-provenance@", StringComparison.Ordinal) == true);
        Assert.Equal("${{ needs.check.outputs.image }}", Scalar(With(attest), "subject-name"));
        Assert.Equal("${{ steps.build.outputs.digest }}", Scalar(With(attest), "subject-digest"));
        Assert.Equal("true", Scalar(With(attest), "push-to-registry"));
        Assert.Equal("${{ steps.build.outputs.digest }}", Scalar((YamlMappingNode)image["outputs"], "digest"));

        var steps = StepsOf(image).ToList();
        var smoke = StepNamed(image, "Smoke-run the pushed image by digest");
        Assert.True(steps.IndexOf(build) < steps.IndexOf(smoke) && steps.IndexOf(smoke) < steps.IndexOf(attest), "build, smoke-run, then attest");
        Assert.Contains("docker run --rm \"$IMAGE@$DIGEST\" --version", Scalar(smoke, "run"), StringComparison.Ordinal);
    }

    [Fact]
    public void After_both_packages_are_out_action_yml_is_pinned_to_the_digest_and_the_tag_moves_there()
    {
        var pin = Job("pin");
        Assert.Equal(["check", "image", "nuget"], ((YamlSequenceNode)pin["needs"]).Children.Select(n => ((YamlScalarNode)n).Value).Order(StringComparer.Ordinal));
        Assert.Equal("${{ needs.image.outputs.digest }}", Scalar(Env(pin), "DIGEST"));
        Assert.Equal("${{ needs.check.outputs.image }}", Scalar(Env(pin), "IMAGE"));
        Assert.Equal("${{ github.ref_name }}", Scalar(Env(pin), "TAG"));

        var commit = StepNamed(pin, "Commit action.yml running the image by digest");
        Assert.Contains("bash .github/scripts/pin-action-image.sh \"$IMAGE@$DIGEST\" action.yml", Scalar(commit, "run"), StringComparison.Ordinal);
        Assert.Contains("git commit --only action.yml host/action.yml", Scalar(commit, "run"), StringComparison.Ordinal);

        var moveTag = StepNamed(pin, "Move the release tag to that commit");
        Assert.Null(Scalar(moveTag, "if"));
        Assert.Contains("git tag --force --annotate \"$TAG\"", Scalar(moveTag, "run"), StringComparison.Ordinal);
        Assert.Contains("\"refs/tags/$TAG\"", Scalar(moveTag, "run"), StringComparison.Ordinal);
    }

    [Fact]
    public void Host_mode_is_pinned_to_the_same_image_and_the_sha256_of_the_binary_taken_out_of_it()
    {
        var image = Job("image");
        var binary = StepsOf(image).Single(s => Scalar(s, "id") == "binary");
        Assert.Equal("${{ steps.build.outputs.digest }}", Scalar(Env(binary), "DIGEST"));
        Assert.Contains("docker create \"$IMAGE@$DIGEST\"", Scalar(binary, "run"), StringComparison.Ordinal);
        Assert.Contains("docker cp \"$container:/usr/local/bin/policy-response\"", Scalar(binary, "run"), StringComparison.Ordinal);
        Assert.Equal("${{ steps.binary.outputs.sha256 }}", Scalar((YamlMappingNode)image["outputs"], "binary-sha256"));

        var pin = Job("pin");
        Assert.Equal("${{ needs.image.outputs.binary-sha256 }}", Scalar(Env(pin), "BINARY_SHA256"));
        var commit = StepNamed(pin, "Commit action.yml running the image by digest");
        Assert.Contains("bash .github/scripts/pin-host-action.sh \"$IMAGE@$DIGEST\" \"$BINARY_SHA256\" host/action.yml", Scalar(commit, "run"), StringComparison.Ordinal);

        var steps = StepsOf(pin).ToList();
        var smoke = StepNamed(pin, "Smoke-run host mode as pinned");
        Assert.True(steps.IndexOf(commit) < steps.IndexOf(smoke) && steps.IndexOf(smoke) < steps.IndexOf(StepNamed(pin, "Move the release tag to that commit")), "pin, smoke-run, then move the tag");
        Assert.Contains("bash host/run-pinned-binary.sh --version", Scalar(smoke, "run"), StringComparison.Ordinal);
    }

    [Fact]
    public void V2_moves_only_for_a_release_without_suffix_that_is_the_highest()
    {
        var pin = Job("pin");
        var moveMajor = StepNamed(pin, "Move v2 to that commit");

        Assert.Equal("needs.check.outputs.prerelease == 'false' && needs.check.outputs.move-major == 'true'", Scalar(moveMajor, "if"));
        Assert.Contains("refs/tags/v2", Scalar(moveMajor, "run"), StringComparison.Ordinal);
        Assert.Contains("git tag --force --annotate v2 ", Scalar(moveMajor, "run"), StringComparison.Ordinal);
        foreach (var step in StepsOf(pin).Where(s => s != moveMajor))
        {
            Assert.DoesNotMatch(@"\bv2\b", Scalar(step, "run") ?? string.Empty);
        }

        var outputs = (YamlMappingNode)Job("check")["outputs"];
        Assert.Equal("${{ steps.tag.outputs.prerelease }}", Scalar(outputs, "prerelease"));
        Assert.Equal("${{ steps.tag.outputs.move-major }}", Scalar(outputs, "move-major"));
    }

    [Fact]
    public void The_tool_package_gets_the_tags_version_and_goes_to_the_owners_github_packages_feed()
    {
        var nuget = Job("nuget");
        var pack = StepNamed(nuget, "Pack the .NET tool");
        Assert.Equal("${{ needs.check.outputs.version }}", Scalar(Env(pack), "VERSION"));
        Assert.Contains("dotnet pack src/PolicyAction/PolicyAction.csproj --configuration Release", Scalar(pack, "run"), StringComparison.Ordinal);
        Assert.Contains("\"-p:Version=$VERSION\"", Scalar(pack, "run"), StringComparison.Ordinal);

        var push = StepNamed(nuget, "Push it to GitHub Packages");
        Assert.Equal("${{ needs.check.outputs.nuget-feed }}", Scalar(Env(push), "FEED"));
        Assert.Contains("dotnet nuget push \"$RUNNER_TEMP/nupkg/PolicyAction.$VERSION.nupkg\"", Scalar(push, "run"), StringComparison.Ordinal);
        Assert.Contains("--source \"$FEED\" --api-key \"$GITHUB_TOKEN\"", Scalar(push, "run"), StringComparison.Ordinal);
        Assert.Contains("echo \"nuget-feed=https://nuget.pkg.github.com/$lower_owner/index.json\"", Scalar(StepNamed(Job("check"), "Names"), "run"), StringComparison.Ordinal);
    }

    [Fact]
    public void Ci_lints_this_workflow_and_the_scripts_it_runs_exist()
    {
        var ci = File.ReadAllText(Path.Combine(RepositoryRoot.Path, ".ci", "run"));
        Assert.Contains("lint-actions action.yml host/action.yml examples/extended-image/action.yml workflows/*.yml .github/workflows/*.yml", ci, StringComparison.Ordinal);

        foreach (Match script in ScriptPath().Matches(File.ReadAllText(Path.Combine(RepositoryRoot.Path, WorkflowPath))))
        {
            Assert.True(File.Exists(Path.Combine(RepositoryRoot.Path, script.Value)), $"{script.Value} does not exist");
        }
    }

    [GeneratedRegex(@"^\s*(- )?uses: (?<action>[\w.-]+/[\w.-]+(/[\w./-]+)?)@(?<sha>[0-9a-f]{40}) # (?<release>v\d+\.\d+\.\d+)$")]
    private static partial Regex PinnedWithComment();

    [GeneratedRegex(@"\.github/scripts/[\w.-]+\.sh")]
    private static partial Regex ScriptPath();
}
