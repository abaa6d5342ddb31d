using System.Text;
using Octokit;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Aot;

/// <summary>
/// Octokit's serializer builds objects by reflection, including generic instantiations over value types
/// (<c>StringEnum&lt;T&gt;</c>, <c>Nullable&lt;T&gt;</c>, <c>List&lt;T&gt;</c>) that Native AOT only compiles when told.
/// <c>src/PolicyAction/Octokit.rd.xml</c> lists every such instantiation reachable from the request and response
/// types we use; this test derives the list again from Octokit itself, so a new type, a new call or an Octokit
/// upgrade that needs another instantiation fails here rather than as a MissingMethodException in a real run.
/// </summary>
public sealed class OctokitAotDirectivesTests
{
    /// <summary>Every Octokit type <c>OctokitForge</c> sends or receives.</summary>
    internal static readonly Type[] TypesWeExchange =
    [
        typeof(Repository), typeof(Reference), typeof(RepositoryContent), typeof(Blob), typeof(Commit), typeof(TreeResponse),
        typeof(Issue), typeof(IssueComment), typeof(Branch), typeof(RepositoryContentChangeSet),
        typeof(NewBlob), typeof(NewTree), typeof(NewCommit), typeof(ReferenceUpdate), typeof(NewReference),
        typeof(NewIssue), typeof(IssueUpdate), typeof(BlobReference), typeof(ApiError), typeof(CreateFileRequest), typeof(UpdateFileRequest),
    ];

    private static string DirectivesPath => Path.Combine(RepositoryRoot.Path, "src", "PolicyAction", "Octokit.rd.xml");

    [Fact]
    public void The_directives_list_every_generic_instantiation_octokit_builds_for_our_types()
    {
        var expected = Directives(TypesWeExchange);
        var actual = File.ReadAllText(DirectivesPath).ReplaceLineEndings("\n");
        if (actual != expected)
        {
            File.WriteAllText(DirectivesPath + ".received", expected);
            Assert.Fail($"{DirectivesPath} is out of date with the Octokit types we use. Review {DirectivesPath}.received and move it over the file.");
        }
    }

    [Fact]
    public void String_enums_inside_responses_are_listed()
    {
        var text = File.ReadAllText(DirectivesPath);

        Assert.Contains("Octokit.StringEnum`1[[Octokit.ItemState,Octokit]]", text, StringComparison.Ordinal);
        Assert.Contains("Octokit.StringEnum`1[[Octokit.TaggedType,Octokit]]", text, StringComparison.Ordinal);
        Assert.Contains("System.Collections.Generic.List`1[[Octokit.Issue,Octokit]]", text, StringComparison.Ordinal);
    }

    internal static string Directives(IEnumerable<Type> roots)
    {
        var instantiations = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>(roots.SelectMany(t => new[] { t, typeof(List<>).MakeGenericType(t), typeof(IReadOnlyList<>).MakeGenericType(t) }));
        while (pending.TryDequeue(out var type))
        {
            if (!seen.Add(type))
            {
                continue;
            }

            if (type.IsArray)
            {
                pending.Enqueue(type.GetElementType()!);
                continue;
            }

            if (type.IsConstructedGenericType)
            {
                var definition = type.GetGenericTypeDefinition();
                var assembly = definition.Assembly.GetName().Name!;
                if (!instantiations.TryGetValue(assembly, out var names))
                {
                    instantiations[assembly] = names = new SortedSet<string>(StringComparer.Ordinal);
                }

                names.Add(RdXmlName(type));
                foreach (var argument in type.GetGenericArguments())
                {
                    pending.Enqueue(argument);
                }

                // The serializer fills read-only lists with List<T> and reads nullable values through Nullable<T>.
                if (definition == typeof(IReadOnlyList<>) || definition == typeof(IEnumerable<>) || definition == typeof(IList<>))
                {
                    pending.Enqueue(typeof(List<>).MakeGenericType(type.GetGenericArguments()));
                }
                else if (definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(IDictionary<,>))
                {
                    pending.Enqueue(typeof(Dictionary<,>).MakeGenericType(type.GetGenericArguments()));
                }

                continue;
            }

            if (type.Assembly == typeof(Issue).Assembly)
            {
                foreach (var property in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
                {
                    pending.Enqueue(property.PropertyType);
                }

                if (type.IsEnum)
                {
                    pending.Enqueue(typeof(Nullable<>).MakeGenericType(type));
                }
            }
        }

        var xml = new StringBuilder();
        xml.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        xml.Append("<!-- Native AOT directives for Octokit's reflection-based serializer. Generated from the types in\n");
        xml.Append("     tests/PolicyAction.Tests/Aot/OctokitAotDirectivesTests.cs; that test fails when this file is out of date. -->\n");
        xml.Append("<Directives xmlns=\"http://schemas.microsoft.com/netfx/2013/01/metadata\">\n");
        xml.Append("  <Application>\n");
        xml.Append("    <Assembly Name=\"Octokit\" Dynamic=\"Required All\">\n");
        foreach (var name in instantiations.GetValueOrDefault("Octokit") ?? [])
        {
            xml.Append($"      <Type Name=\"{name}\" Dynamic=\"Required All\" />\n");
        }

        xml.Append("    </Assembly>\n");
        foreach (var (assembly, names) in instantiations.Where(p => p.Key != "Octokit"))
        {
            xml.Append($"    <Assembly Name=\"{assembly}\">\n");
            foreach (var name in names)
            {
                xml.Append($"      <Type Name=\"{name}\" Dynamic=\"Required All\" />\n");
            }

            xml.Append("    </Assembly>\n");
        }

        xml.Append("  </Application>\n");
        xml.Append("</Directives>\n");
        return xml.ToString();
    }

    /// <summary>A constructed type as rd.xml names it: <c>Name`1[[Argument,Assembly]]</c>.</summary>
    private static string RdXmlName(Type type)
    {
        if (!type.IsConstructedGenericType)
        {
            return type.FullName!;
        }

        var arguments = type.GetGenericArguments().Select(a => $"[{RdXmlName(a)},{a.Assembly.GetName().Name}]");
        return $"{type.GetGenericTypeDefinition().FullName}[{string.Join(',', arguments)}]";
    }
}
