using System.Reflection;
using System.Text.Json;
using PolicyAction.Alerts;
using PolicyAction.State;
using PolicyAction.Tests.Support;
using YamlDotNet.Serialization;

namespace PolicyAction.Tests.Documentation;

/// <summary>docs/configuration.md and the JSON Schema move with the code: every key, file and event is in them.</summary>
public class ConfigurationDocsTests
{
    private static string Docs => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "configuration.md"));

    private static JsonElement Schema()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "policy-response.schema.json")));
        return document.RootElement.Clone();
    }

    /// <summary>The YAML keys the loader binds, read from the binding classes themselves.</summary>
    private static string[] KeysOf(Type type) =>
        type.GetProperties().Select(p => p.GetCustomAttribute<YamlMemberAttribute>()!.Alias!).Order(StringComparer.Ordinal).ToArray();

    private static string[] PropertiesOf(JsonElement schemaObject) =>
        schemaObject.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    private static JsonElement Resolve(JsonElement schema, JsonElement node)
    {
        while (node.TryGetProperty("$ref", out var reference))
        {
            node = reference.GetString()!.TrimStart('#', '/').Split('/').Aggregate(schema, (current, part) => current.GetProperty(part));
        }

        return node;
    }

    [Fact]
    public void The_schema_names_exactly_the_keys_the_loader_accepts()
    {
        var schema = Schema();
        var assembly = typeof(ExitCodes).Assembly;
        Type Binding(string name) => assembly.GetType($"PolicyAction.Configuration.{name}", throwOnError: true)!;

        Assert.Equal(KeysOf(Binding("ConfigDocument")), PropertiesOf(schema));
        Assert.Equal(KeysOf(Binding("GatesDocument")), PropertiesOf(Resolve(schema, schema.GetProperty("properties").GetProperty("gates"))));
        var levels = Resolve(schema, schema.GetProperty("properties").GetProperty("levels"));
        Assert.Equal(["RED", "YELLOW"], PropertiesOf(levels));
        var action = Resolve(schema, Resolve(schema, levels.GetProperty("properties").GetProperty("RED")).GetProperty("items"));
        Assert.Equal(KeysOf(Binding("ActionDocument")), PropertiesOf(action));
        Assert.Equal(KeysOf(Binding("ReversibleDocument")), PropertiesOf(Resolve(schema, action.GetProperty("properties").GetProperty("reversible"))));

        Assert.Equal(KeysOf(Binding("EvaluationDocument")), PropertiesOf(Resolve(schema, schema.GetProperty("properties").GetProperty("evaluation"))));
        var signal = Resolve(schema, Resolve(schema, schema.GetProperty("properties").GetProperty("signals")).GetProperty("items"));
        Assert.Equal(KeysOf(Binding("SignalDocument")), PropertiesOf(signal));
        Assert.Equal(KeysOf(Binding("CommandSignalDocument")), PropertiesOf(Resolve(schema, signal.GetProperty("properties").GetProperty("command"))));
        Assert.Equal(KeysOf(Binding("FileSignalDocument")), PropertiesOf(Resolve(schema, signal.GetProperty("properties").GetProperty("file"))));
        var github = Resolve(schema, signal.GetProperty("properties").GetProperty("github"));
        Assert.Equal(KeysOf(Binding("GitHubSignalDocument")), PropertiesOf(github));
        var queries = github.GetProperty("properties").GetProperty("query").GetProperty("enum").EnumerateArray().Select(q => q.GetString()!);
        Assert.Equal(PolicyAction.Configuration.SignalsSection.QueryNames.Order(StringComparer.Ordinal), queries.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_config_key_is_documented()
    {
        var docs = Docs;
        var assembly = typeof(ExitCodes).Assembly;
        foreach (var type in new[] { "ConfigDocument", "GatesDocument", "ActionDocument", "ReversibleDocument" })
        {
            foreach (var key in KeysOf(assembly.GetType($"PolicyAction.Configuration.{type}", throwOnError: true)!))
            {
                Assert.Contains($"`{key}`", docs, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Every_state_file_and_audit_event_is_documented()
    {
        var docs = Docs;
        string[] files =
        [
            "state/policy_state.json", "state/trust_lock_state.json", "forensics/safety_brake_state.json",
            "state/policy_response_preview.json", "state/policy_response_log.jsonl", "state/policy_response_undo_",
            "reports/policy_response_blocked.json", "state/.policy-response.lock",
        ];
        var alertsDocs = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "alerts.md"));
        Assert.Contains("reports/policy_orchestration_alerts.json", alertsDocs, StringComparison.Ordinal);
        Assert.Contains("logs/policy_orchestration_alerts.jsonl", alertsDocs, StringComparison.Ordinal);
        Assert.All(PolicyAction.Alerts.AlertIds.All, id => Assert.Contains($"`{id}`", alertsDocs, StringComparison.Ordinal));
        Assert.All(files, file => Assert.Contains(file, docs, StringComparison.Ordinal));

        var events = typeof(AuditEvents).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!);
        Assert.All(events, name => Assert.Contains($"`{name}`", docs, StringComparison.Ordinal));
    }
}
