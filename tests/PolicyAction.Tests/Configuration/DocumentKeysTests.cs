using PolicyAction.Alerts;
using PolicyAction.Configuration;

namespace PolicyAction.Tests.Configuration;

public class DocumentKeysTests
{
    [Fact]
    public void The_keys_are_the_yaml_aliases_in_declaration_order()
    {
        Assert.Equal(["version", "gates", "levels", "alerts", "evaluation", "signals"], DocumentKeys.Of<ConfigDocument>());
        Assert.Equal(["enabled", "severity", "more_than", "longer_than", "window", "prefix", "create_fix_branch"], DocumentKeys.Of<RuleDocument>());
        Assert.Equal(["id", "description", "run", "timeout_seconds", "continue_on_error", "reversible", "undo_instruction"], DocumentKeys.Of<ActionDocument>());
    }

    [Fact]
    public void Every_key_a_rule_takes_is_one_the_rule_document_binds()
    {
        var bound = DocumentKeys.Of<RuleDocument>();
        foreach (var rule in AlertRules.All)
        {
            Assert.All(rule.Keys, key => Assert.Contains(key, bound));
            Assert.DoesNotContain("enabled", rule.Keys);
            Assert.DoesNotContain("severity", rule.Keys);
        }
    }

    [Fact]
    public void The_rules_are_the_alert_ids_in_order_with_their_defaults()
    {
        Assert.Equal([AlertIds.RedFlips, AlertIds.BrakeEngaged, AlertIds.BlockedStreak, AlertIds.FixBranches, AlertIds.ActionFailures], AlertRules.All.Select(r => r.Id));
        Assert.All(AlertRules.All, rule => Assert.Equal(rule.Id, rule.Defaults.Id));
        Assert.Equal(AlertIds.All, AlertRules.All.Select(r => r.Id));
    }

    [Fact]
    public void A_key_of_another_rule_is_named_as_not_applying()
    {
        var problem = Assert.Single(Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse(
            "version: 1\nlevels:\n  RED: []\nalerts:\n  rules:\n    brake_engaged:\n      more_than: 3\n", "policy-response.yml")).Problems);

        Assert.Equal("alerts.rules.brake_engaged.more_than", problem.Field);
        Assert.Equal("does not apply to brake_engaged; its settings are enabled, severity, longer_than", problem.Message);
        Assert.Equal(7, problem.Line);
    }
}
