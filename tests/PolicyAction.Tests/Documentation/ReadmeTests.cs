using System.Text.RegularExpressions;
using PolicyAction.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace PolicyAction.Tests.Documentation;

/// <summary>The README's commands work as written, and CI runs exactly its test command.</summary>
public partial class ReadmeTests
{
    private const string TryCommandPrefix = "dotnet run --project src/PolicyAction -- ";
    private const string YourRepository = "path/to/your-repo";
    private const string TestCommand = "dotnet test PolicyAction.sln";

    private static string Readme => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));

    /// <summary>The tool's arguments in each <c>dotnet run --project src/PolicyAction -- …</c> line of a section's code blocks.</summary>
    private static IEnumerable<string[]> Commands(string section) =>
        CodeLines(section).Where(l => l.StartsWith(TryCommandPrefix, StringComparison.Ordinal))
            .Select(l => l[TryCommandPrefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>From a heading to the next heading of the same level.</summary>
    private static string Section(string markdown, string heading)
    {
        var start = markdown.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README has no '{heading}'");
        var end = markdown.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }

    private static IEnumerable<string> CodeLines(string markdown) =>
        CodeBlock().Matches(markdown).SelectMany(m => m.Groups[1].Value.Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0);

    [Fact]
    public async Task The_two_try_it_commands_show_the_gates_and_a_red_dry_run_without_changing_tracked_files()
    {
        var commands = Commands(Section(Readme, "## Try it in 60 seconds")).ToArray();
        Assert.Equal(2, commands.Length);
        var example = ExampleWorkspace.Source;
        var before = Snapshot(example);

        var gates = await ProcessCli.RunAsync(RepositoryRoot.Path, null, commands[0]);
        var respond = await ProcessCli.RunAsync(RepositoryRoot.Path, null, commands[1]);

        Assert.Equal("gates", commands[0][0]);
        Assert.True(gates.ExitCode == 0, gates.ToString());
        Assert.Contains("GATE", gates.Stdout, StringComparison.Ordinal);
        Assert.True(respond.ExitCode == 0, respond.ToString());
        Assert.Contains("dry-run", respond.Stdout, StringComparison.Ordinal);
        Assert.Contains("[DRY-RUN] Would execute", respond.Stdout, StringComparison.Ordinal);
        Assert.Contains("plan digest: sha256:", respond.Stdout, StringComparison.Ordinal);
        var after = Snapshot(example);
        foreach (var (path, bytes) in before)
        {
            if (!IsIgnored(path))
            {
                Assert.True(after.TryGetValue(path, out var now) && now.SequenceEqual(bytes), $"{path} changed");
            }
        }

        Assert.All(after.Keys.Except(before.Keys), path => Assert.True(IsIgnored(path), $"{path} is new and not ignored by examples/workspace/.gitignore"));
    }

    [Fact]
    public async Task The_init_command_scaffolds_an_empty_repository_folder_where_a_dry_run_then_works()
    {
        var command = Assert.Single(Commands(Section(Readme, "## Add it to a repository")));
        using var repository = new TempWorkspace();
        var args = command.Select(a => a == YourRepository ? repository.Root : a).ToArray();
        Assert.Contains(repository.Root, args);

        var init = await ProcessCli.RunAsync(RepositoryRoot.Path, null, args);

        Assert.True(init.ExitCode == 0, init.ToString());
        foreach (var file in new[] { ".github/policy-response.yml", ".github/workflows/policy_orchestration.yml", ".github/workflows/policy_response_runner.yml", ".github/workflows/policy_orchestration_alerts.yml", ".github/workflows/policy_control.yml" })
        {
            Assert.True(repository.Exists(file), $"{file} was not written");
        }

        var dryRun = await ProcessCli.RunAsync(repository, "respond", "--policy", "RED");
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
    }

    [Fact]
    public void The_test_command_is_in_the_readme_and_ci_runs_exactly_it()
    {
        Assert.Contains(TestCommand, CodeLines(Readme));
        var ci = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, ".ci", "run")).Select(l => l.Trim());
        Assert.Contains(ci, l => l.StartsWith(TestCommand + " ", StringComparison.Ordinal) || l == TestCommand);
    }

    [Fact]
    public void Every_exit_code_is_documented()
    {
        var readme = Readme;
        foreach (var code in new[] { ExitCodes.Success, ExitCodes.ActionFailed, ExitCodes.UsageOrStateError, ExitCodes.Blocked })
        {
            Assert.Matches($@"\|\s*`?{code}`?\s*\|", readme);
        }
    }

    [Fact]
    public void The_inputs_table_matches_action_yml_names_and_defaults()
    {
        var action = ActionMetadata();
        var inputs = (YamlMappingNode)action["inputs"];
        var expected = inputs.Children.ToDictionary(
            p => ((YamlScalarNode)p.Key).Value!,
            p => ((YamlMappingNode)p.Value).Children.TryGetValue("default", out var d) ? ((YamlScalarNode)d).Value! : string.Empty);

        var table = Table(Readme, "## Inputs").ToDictionary(row => row[0].Trim('`'), row => row[1] == "(empty)" ? string.Empty : row[1].Trim('`'));

        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), table.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void The_outputs_table_matches_action_yml_and_what_the_action_writes()
    {
        var outputs = ((YamlMappingNode)ActionMetadata()["outputs"]).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToArray();
        var table = Table(Readme, "## Outputs").Select(row => row[0].Trim('`')).ToArray();

        Assert.Equal(outputs.Order(StringComparer.Ordinal), table.Order(StringComparer.Ordinal));
        Assert.Equal(outputs.Order(StringComparer.Ordinal), PolicyAction.ActionHost.ActionOutputs.Names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_usage_snippet_uses_the_major_tag()
    {
        Assert.Contains("uses: org/policy-response@v2", Readme, StringComparison.Ordinal);
    }

    private static YamlMappingNode ActionMetadata()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "action.yml"))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>The body rows of the first Markdown table after a heading, split into trimmed cells.</summary>
    private static List<string[]> Table(string markdown, string heading)
    {
        var lines = markdown[markdown.IndexOf(heading, StringComparison.Ordinal)..].Split('\n');
        return lines.SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).Skip(2)
            .Select(l => l.Trim().Trim('|').Split(" | ").Select(c => c.Trim()).ToArray())
            .ToList();
    }

    private static Dictionary<string, byte[]> Snapshot(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes);

    private static bool IsIgnored(string relative)
    {
        var patterns = File.ReadAllLines(Path.Combine(ExampleWorkspace.Source, ".gitignore"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'));
        return patterns.Any(p => p.EndsWith('/')
            ? relative.StartsWith(p, StringComparison.Ordinal)
            : Regex.IsMatch(relative, "^" + Regex.Escape(p).Replace(@"\*", "[^/]*", StringComparison.Ordinal) + "$"));
    }

    [GeneratedRegex("```[a-z]*\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
