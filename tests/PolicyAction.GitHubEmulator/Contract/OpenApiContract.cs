using System.Text.Json;
using System.Text.RegularExpressions;

namespace PolicyAction.GitHubEmulator.Contract;

/// <summary>One operation of GitHub's description: its path template, method, and schemas.</summary>
public sealed record Operation(string Template, string Method, Regex Pattern, JsonElement Definition)
{
    public JsonElement? RequestSchema =>
        Definition.TryGetProperty("requestBody", out var body) && body.TryGetProperty("content", out var content)
        && content.TryGetProperty("application/json", out var json) && json.TryGetProperty("schema", out var schema) ? schema : null;

    /// <summary>The documented response for a status: (documented, schema or null for an empty body).</summary>
    public (bool Documented, JsonElement? Schema) Response(int status)
    {
        var responses = Definition.GetProperty("responses");
        if (!responses.TryGetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response)
            && !responses.TryGetProperty("default", out response))
        {
            return (false, null);
        }

        return response.TryGetProperty("content", out var content) && content.TryGetProperty("application/json", out var json)
            && json.TryGetProperty("schema", out var schema) ? (true, schema) : (true, null);
    }
}

/// <summary>GitHub's official REST description (the subset in ../shared/github-openapi), used to check every exchange.</summary>
public sealed class OpenApiContract
{
    private static readonly string[] RestOfPath = ["ref", "path", "branch"];
    private static readonly Lazy<OpenApiContract> Shared = new(() => Load(FindDescription()));

    private readonly List<Operation> _operations;

    private OpenApiContract(List<Operation> operations)
    {
        _operations = operations;
    }

    public static OpenApiContract Default => Shared.Value;

    public IReadOnlyList<Operation> Operations => _operations;

    public static OpenApiContract Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement.Clone();
        var operations = new List<Operation>();
        foreach (var pathItem in root.GetProperty("paths").EnumerateObject())
        {
            var pattern = "^" + Regex.Replace(Regex.Escape(pathItem.Name).Replace("\\{", "{", StringComparison.Ordinal), "{([a-z_]+)}", m =>
                RestOfPath.Contains(m.Groups[1].Value) ? "(?<" + m.Groups[1].Value + ">.+)" : "(?<" + m.Groups[1].Value + ">[^/]+)") + "$";
            foreach (var method in pathItem.Value.EnumerateObject())
            {
                operations.Add(new Operation(pathItem.Name, method.Name.ToUpperInvariant(), new Regex(pattern, RegexOptions.Compiled), method.Value));
            }
        }

        // Most specific first: more literal text wins over parameters.
        operations.Sort((a, b) => Regex.Replace(b.Template, "{[^}]+}", string.Empty).Length.CompareTo(Regex.Replace(a.Template, "{[^}]+}", string.Empty).Length));
        return new OpenApiContract(operations);
    }

    public (Operation? Operation, Match? Match) Find(string method, string path)
    {
        foreach (var operation in _operations)
        {
            if (operation.Method != method)
            {
                continue;
            }

            var match = operation.Pattern.Match(path);
            if (match.Success)
            {
                return (operation, match);
            }
        }

        return (null, null);
    }

    /// <summary>Finds <c>shared/github-openapi/github-rest-subset.deref.json</c> beside the repository checkout.</summary>
    public static string FindDescription()
    {
        const string relative = "github-openapi/github-rest-subset.deref.json";
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", relative), Path.Combine(dir.FullName, "..", "shared", relative) })
                {
                    if (File.Exists(candidate))
                    {
                        return Path.GetFullPath(candidate);
                    }
                }
            }
        }

        throw new FileNotFoundException($"GitHub's API description ({relative}) was not found in a 'shared' folder beside the repository");
    }
}
