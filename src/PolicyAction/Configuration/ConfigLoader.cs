using System.Text.RegularExpressions;
using PolicyAction.Alerts;
using PolicyAction.Output;
using PolicyAction.State;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace PolicyAction.Configuration;

/// <summary>Reads and validates <c>.github/policy-response.yml</c>; every error names file, line and column.</summary>
internal static partial class ConfigLoader
{
    public const string DefaultRelativePath = ".github/policy-response.yml";
    public const int SupportedVersion = 1;

    // What a value of each key must look like, for errors the YAML binder reports in its own terms.
    private static readonly Dictionary<string, string> Expectations = new(StringComparer.Ordinal)
    {
        ["version"] = "expected the number 1",
        ["gates"] = "expected a mapping of gate limits",
        ["max_responses_per_24h"] = "expected a whole number",
        ["max_manual_unlocks_per_day"] = "expected a whole number",
        ["levels"] = "expected a mapping from level name (YELLOW, RED) to a list of actions",
        ["id"] = "expected a string",
        ["description"] = "expected a string",
        ["run"] = "expected a list of strings (the argv, run without a shell)",
        ["timeout_seconds"] = "expected a whole number of seconds",
        ["continue_on_error"] = "expected true or false",
        ["reversible"] = "expected a mapping with 'paths'",
        ["paths"] = "expected a list of workspace-relative paths",
        ["undo_instruction"] = "expected a string",
        ["alerts"] = "expected a mapping with fail_on, rules, issues and silences",
        ["rules"] = "expected a mapping from alert id to its settings",
        ["enabled"] = "expected true or false",
        ["more_than"] = "expected a whole number",
        ["create_fix_branch"] = "expected true or false",
        ["close_on_resolve"] = "expected true or false",
        ["labels"] = "expected a list of label names",
        ["assignees"] = "expected a list of user names",
        ["silences"] = "expected a list of silences (alert, until, reason)",
        ["evaluation"] = "expected a mapping with on_unknown and calm_for",
        ["signals"] = "expected a list of signals, each with an id, a source (command, file or github) and yellow/red conditions",
        ["command"] = "expected a mapping with 'run' (and optionally timeout_seconds and value)",
        ["file"] = "expected a mapping with 'path' (and optionally pointer and value)",
        ["github"] = "expected a mapping with 'query' and the query's keys",
        ["dry_run"] = "expected true or false",
        ["yellow"] = "expected a condition such as \"> 3\" (quoted)",
        ["red"] = "expected a condition such as \"> 3\" (quoted)",
        ["for"] = "expected a number of evaluations or a duration such as 6h",
    };

    public static string DefaultPath(string workspace) => Path.Combine(workspace, ".github", "policy-response.yml");

    public static PolicyConfig Load(string path) => Parse(ConfigFile.Read(path), path);

    public static PolicyConfig Parse(string text, string path)
    {
        YamlPositionIndex index;
        try
        {
            // Bounded first: the index and the deserializer below would each walk a billion laughs or 80 KB of brackets.
            YamlLimits.Check(text, path);
            index = YamlPositionIndex.Parse(text);
        }
        catch (YamlException e)
        {
            // YamlDotNet places a tab-indentation error at 1:1; point at the tab instead.
            var mark = Describe(e).Contains("tab", StringComparison.Ordinal) && FirstIndentingTab(text) is { } tab ? tab : e.Start;

            // "red: > 3" starts a folded block in YAML: say how to write a condition rather than what the scanner missed.
            var hint = Describe(e).Contains("block scalar", StringComparison.Ordinal)
                ? "a value starting with > or | is a YAML text block; quote a condition, such as red: \"> 3\""
                : "indent with spaces only";
            throw new ConfigurationException([Problem(path, mark, string.Empty, $"not valid YAML: {Describe(e)}; {hint}")]);
        }

        if (index.Root is null)
        {
            throw new ConfigurationException([new ConfigProblem(path, 1, 1, string.Empty, "file is empty; expected at least 'version: 1' and 'levels:'")]);
        }

        if (index.Root is not YamlMappingNode)
        {
            throw new ConfigurationException([Problem(path, index.Root.Start, string.Empty, "expected a mapping with 'version', 'gates' and 'levels' at the top level")]);
        }

        ConfigDocument document;
        try
        {
            var deserializer = new StaticDeserializerBuilder(new ConfigYamlContext()).Build();
            document = deserializer.Deserialize<ConfigDocument>(text);
        }
        catch (YamlException e)
        {
            throw new ConfigurationException([BinderProblem(path, index, e)]);
        }

        var problems = new ConfigProblems(path, index);
        var config = Validate(document, path, problems);
        if (problems.Found.Count > 0)
        {
            throw new ConfigurationException(problems.Found);
        }

        return config;
    }

    private static PolicyConfig Validate(ConfigDocument document, string path, ConfigProblems problems)
    {
        if (document.Version is null)
        {
            problems.Report("version", "is required; add 'version: 1' at the top");
        }
        else if (document.Version != SupportedVersion)
        {
            problems.Report("version", $"version {document.Version} is not supported; this release reads version {SupportedVersion}");
        }

        var limits = GatesSection.Validate(document.Gates, problems);
        var levels = LevelsSection.Validate(document.Levels, problems);
        var alerts = AlertsSection.Validate(document.Alerts, problems);
        var evaluation = SignalsSection.ValidateEvaluation(document.Evaluation, problems);
        var signals = SignalsSection.Validate(document.Signals, problems);
        return new PolicyConfig(path, document.Version ?? SupportedVersion, limits, levels) { Alerts = alerts, Evaluation = evaluation, Signals = signals };
    }

    private static ConfigProblem BinderProblem(string path, YamlPositionIndex index, YamlException e)
    {
        var field = index.PathAt(e.Start) ?? string.Empty;
        var unknown = UnknownPropertyPattern().Match(e.Message);
        if (unknown.Success)
        {
            var parent = field.Contains('.', StringComparison.Ordinal) ? field[..field.LastIndexOf('.')] : string.Empty;
            var known = KnownKeys(parent);
            return Problem(path, e.Start, field, $"unknown key '{unknown.Groups[1].Value}'" + (known is null ? string.Empty : $"; expected one of: {known}"));
        }

        var leaf = field.Contains('.', StringComparison.Ordinal) ? field[(field.LastIndexOf('.') + 1)..] : field;
        var bracket = leaf.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0)
        {
            leaf = leaf[..bracket];
        }

        var expectation = Expectations.TryGetValue(leaf, out var text) ? text : "has the wrong type";

        // A cast failure's own message names .NET types, which says nothing to the person editing YAML.
        return Problem(path, e.Start, field, e.InnerException is InvalidCastException ? expectation : $"{expectation} ({Describe(e)})");
    }

    /// <summary>The keys the mapping at <paramref name="parentPath"/> takes, read from its document type.</summary>
    private static string? KnownKeys(string parentPath)
    {
        var keys = parentPath switch
        {
            "" => DocumentKeys.Of<ConfigDocument>(),
            "alerts" => DocumentKeys.Of<AlertsDocument>(),
            "alerts.issues" => DocumentKeys.Of<IssuesDocument>(),
            "gates" => DocumentKeys.Of<GatesDocument>(),
            _ when parentPath.StartsWith("alerts.rules.", StringComparison.Ordinal) => DocumentKeys.Of<RuleDocument>(),
            _ when parentPath.StartsWith("alerts.silences", StringComparison.Ordinal) => DocumentKeys.Of<SilenceDocument>(),
            _ when parentPath.StartsWith("levels.", StringComparison.Ordinal) && parentPath.EndsWith(']') => DocumentKeys.Of<ActionDocument>(),
            _ when parentPath.EndsWith(".reversible", StringComparison.Ordinal) => DocumentKeys.Of<ReversibleDocument>(),
            "evaluation" => DocumentKeys.Of<EvaluationDocument>(),
            _ when parentPath.StartsWith("signals[", StringComparison.Ordinal) && parentPath.EndsWith(']') => DocumentKeys.Of<SignalDocument>(),
            _ when parentPath.StartsWith("signals[", StringComparison.Ordinal) && parentPath.EndsWith(".command", StringComparison.Ordinal) => DocumentKeys.Of<CommandSignalDocument>(),
            _ when parentPath.StartsWith("signals[", StringComparison.Ordinal) && parentPath.EndsWith(".file", StringComparison.Ordinal) => DocumentKeys.Of<FileSignalDocument>(),
            _ when parentPath.StartsWith("signals[", StringComparison.Ordinal) && parentPath.EndsWith(".github", StringComparison.Ordinal) => DocumentKeys.Of<GitHubSignalDocument>(),
            _ => null,
        };
        return keys is null ? null : string.Join(", ", keys);
    }

    private static string Describe(YamlException e)
    {
        var message = e.InnerException?.Message ?? e.Message;
        var close = message.IndexOf("), ", StringComparison.Ordinal);
        message = close >= 0 && message.StartsWith('(') ? message[(close + 3)..] : message;
        return message.TrimEnd('.');
    }

    private static Mark? FirstIndentingTab(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indent)
            {
                return new Mark(0, i + 1, tab + 1);
            }
        }

        return null;
    }

    private static ConfigProblem Problem(string path, Mark mark, string field, string message) => ConfigProblems.At(path, mark, field, message);

    [GeneratedRegex("Property '([^']*)' not found")]
    private static partial Regex UnknownPropertyPattern();
}
