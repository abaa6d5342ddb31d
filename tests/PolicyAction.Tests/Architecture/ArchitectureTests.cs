using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.Slices.SliceRuleDefinition;

namespace PolicyAction.Tests.Architecture;

/// <summary>
/// The feature folders (namespaces under <c>PolicyAction</c>) and the direction their dependencies may take, read from
/// the compiled assembly (signatures and method bodies) by ArchUnitNET, in the spirit of octokit.net's convention tests.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>
    /// Lowest first: a folder may use only the folders before it. The kernel (<c>PolicyAction</c>: exit codes, the
    /// exceptions, the run context) uses none; the CLI, the composition root, may use all. A new folder goes where
    /// its dependencies put it.
    /// </summary>
    public static readonly IReadOnlyList<string> Layers =
    [
        Kernel,
        "State",          // files, the audit log and its chain, workspace paths
        "RunnerProtocol", // inputs, file commands, workflow commands, the job summary, the event
        "Output",         // the reporter, text tables, times and durations
        "Processes",      // contained child processes
        "Forge",          // the seam to the forge: branch files and commits, refs, issues
        "SharedBranch",   // the branch protocol over the seam: appends, reservations, artifact commits
        "Alerts",         // the alert rules, their settings, issues
        "Orchestrator",   // signals, their providers and the level they ask for
        "Configuration",  // the configuration file and its sections
        "Gates",          // the safety gates, one list
        "Safety",         // trust guard and safety brake commands
        "Status",         // the one-screen status
        "Responses",      // plans, previews, applies, undo
        "GitHub",         // the GitHub connector: Octokit behind the forge seam
        "Scaffolding",    // init
        "ActionHost",     // the action's stages
        "Cli",            // commands and the composition root
    ];

    private const string Kernel = "(kernel)";

    private static readonly System.Reflection.Assembly Tool = typeof(ExitCodes).Assembly;

    private static readonly ArchUnitNET.Domain.Architecture Loaded = new ArchLoader().LoadAssemblies(Tool).Build();

    [Fact]
    public void No_two_feature_folders_depend_on_each_other()
    {
        Slices().Matching("PolicyAction.(*)..").Should().BeFreeOfCycles().Check(Loaded);
    }

    [Fact]
    public void Every_dependency_points_down_the_layers()
    {
        var wrong = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (from, to, example) in FolderDependencies())
        {
            var (a, b) = (Array.IndexOf(Layers.ToArray(), from), Array.IndexOf(Layers.ToArray(), to));
            if (a < 0 || b < 0)
            {
                wrong.Add($"{(a < 0 ? from : to)} is not in ArchitectureTests.Layers: place it where its dependencies put it ({example})");
            }
            else if (b > a)
            {
                wrong.Add($"{from} -> {to} points up ({example}); {from} may use only: {string.Join(", ", Layers.Take(a))}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    [Fact]
    public void The_checks_see_the_dependencies_that_exist()
    {
        var edges = FolderDependencies().Select(d => $"{d.From} -> {d.To}").ToHashSet(StringComparer.Ordinal);

        // Known edges, one in a signature and one only in a method body, so a blind loader cannot pass the checks.
        Assert.Contains("Cli -> ActionHost", edges);
        Assert.Contains("Responses -> Gates", edges);
        Assert.Contains("SharedBranch -> Forge", edges);
        Assert.DoesNotContain("Gates -> Responses", edges);
    }

    [Fact]
    public void A_cycle_is_found_and_named()
    {
        // The same search the layer check relies on, over a graph with a cycle put in on purpose.
        var graph = new Dictionary<string, string[]>
        {
            ["Cli"] = ["ActionHost"],
            ["ActionHost"] = ["Responses"],
            ["Responses"] = ["Gates"],
            ["Gates"] = ["ActionHost"],
        };

        Assert.Equal(["ActionHost", "Responses", "Gates", "ActionHost"], FindCycle(graph));
        graph["Gates"] = [];
        Assert.Null(FindCycle(graph));
    }

    [Fact]
    public void The_tool_has_no_cycle_between_folders_by_the_same_search()
    {
        var graph = FolderDependencies()
            .GroupBy(d => d.From, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(d => d.To).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);

        var cycle = FindCycle(graph);
        Assert.True(cycle is null, $"cycle: {string.Join(" -> ", cycle ?? [])}");
    }

    /// <summary>Each dependency between two types of different folders: the folders and one example.</summary>
    private static IEnumerable<(string From, string To, string Example)> FolderDependencies()
    {
        foreach (var type in Loaded.Types.Where(t => t.Assembly?.FullName == Tool.FullName))
        {
            var from = Folder(type.Namespace.FullName);
            if (from is null)
            {
                continue;
            }

            foreach (var dependency in type.Dependencies)
            {
                var to = dependency.Target is not GenericParameter && dependency.Target.Assembly?.FullName == Tool.FullName ? Folder(dependency.Target.Namespace.FullName) : null;
                if (to is not null && to != from)
                {
                    yield return (from, to, $"{type.Name} uses {dependency.Target.Name}");
                }
            }
        }
    }

    /// <summary>The feature folder of a namespace; null for the global namespace (Program.cs) and generated code.</summary>
    private static string? Folder(string name) =>
        name == "PolicyAction" ? Kernel
        : name.StartsWith("PolicyAction.", StringComparison.Ordinal) ? name["PolicyAction.".Length..].Split('.')[0]
        : null;

    /// <summary>A path that returns to where it started, or null when the graph has none (depth-first search).</summary>
    private static IReadOnlyList<string>? FindCycle(IReadOnlyDictionary<string, string[]> graph)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();

        IReadOnlyList<string>? Visit(string node)
        {
            var at = path.IndexOf(node);
            if (at >= 0)
            {
                return [.. path.Skip(at), node];
            }

            if (!done.Add(node))
            {
                return null;
            }

            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }

        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(node) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }
}
