using System.Text.Json.Nodes;
using PolicyAction.Gates;
using PolicyAction.RunnerProtocol;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Gates;

/// <summary>
/// The trigger gate's verdict on the real <c>workflow_run</c> payload with one thing changed, read as the runner hands
/// it over (<c>GITHUB_*</c> variables and the payload file): what it cannot identify never applies.
/// </summary>
public sealed class TriggerGateTests : IDisposable
{
    private const string Repository = "octo-org/octo-repo";

    private readonly TempWorkspace _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>The context from the real payload, edited; <paramref name="raw"/> replaces a value's JSON text as it is (a float stays a float).</summary>
    private ActionContext Context(string? repository, Action<JsonObject>? edit = null, (string Field, string? Json)? raw = null)
    {
        var payload = JsonNode.Parse(File.ReadAllText(RunnerSimulation.SharedPayload("workflow_run.completed.json")))!.AsObject();
        var run = payload["workflow_run"]!.AsObject();
        edit?.Invoke(run);
        if (raw is { } replaced)
        {
            run[replaced.Field] = "RAW-VALUE";
            if (replaced.Json is null)
            {
                run.Remove(replaced.Field);
            }
        }

        var text = payload.ToJsonString();
        if (raw is { Json: { } value })
        {
            text = text.Replace("\"RAW-VALUE\"", value, StringComparison.Ordinal);
        }

        _folder.Write("event.json", text);
        var variables = new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_EVENT_NAME"] = "workflow_run",
            ["GITHUB_EVENT_PATH"] = _folder.PathOf("event.json"),
            ["GITHUB_RUN_ID"] = "9001",
        };
        if (repository is not null)
        {
            variables["GITHUB_REPOSITORY"] = repository;
        }

        return ActionContext.FromEnvironment(variables);
    }

    public static TheoryData<string?, string, string> RepositoryIdentities => new()
    {
        // GITHUB_REPOSITORY, head_repository, what the verdict says
        { null, "null", "GITHUB_REPOSITORY is not set" },
        { null, "missing", "GITHUB_REPOSITORY is not set" },
        { null, "present", "GITHUB_REPOSITORY is not set" },
        { "", "null", "GITHUB_REPOSITORY is not set" },
        { "", "missing", "GITHUB_REPOSITORY is not set" },
        { "", "present", "GITHUB_REPOSITORY is not set" },
        { "  ", "null", "GITHUB_REPOSITORY is not set" },
        { Repository, "null", "names no head repository" },
        { Repository, "missing", "names no head repository" },
        { Repository, "no full_name", "names no head repository" },
        { Repository, "empty full_name", "names no head repository" },
        { Repository, "present", "may apply" },
    };

    [Theory]
    [MemberData(nameof(RepositoryIdentities))]
    public void Without_both_repository_names_a_workflow_run_never_applies(string? repository, string head, string says)
    {
        var context = Context(repository, run =>
        {
            switch (head)
            {
                case "null":
                    run["head_repository"] = null;
                    break;
                case "missing":
                    run.Remove("head_repository");
                    break;
                case "no full_name":
                    run["head_repository"]!.AsObject().Remove("full_name");
                    break;
                case "empty full_name":
                    run["head_repository"]!["full_name"] = string.Empty;
                    break;
            }
        });

        var verdict = TriggerGate.Verdict(context, []);

        Assert.Equal(says == "may apply", verdict.ApplyAllowed);
        Assert.Contains(says, verdict.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("workflow_dispatch")]
    [InlineData("schedule")]
    public void Without_GITHUB_REPOSITORY_no_trusted_event_applies(string eventName)
    {
        var context = new ActionContext { EventName = eventName, RunId = "42" };

        var verdict = TriggerGate.Verdict(context, []);

        Assert.False(verdict.ApplyAllowed);
        Assert.Contains("GITHUB_REPOSITORY is not set", verdict.Reason, StringComparison.Ordinal);
        Assert.True(TriggerGate.Verdict(context with { Repository = Repository }, []).ApplyAllowed);
    }

    public static TheoryData<string, string?> UnreadableNumbers => new()
    {
        // field, its JSON text (null: the field is missing)
        { "id", null },
        { "id", "null" },
        { "id", "\"289782451\"" },
        { "id", "289782451.0" },
        { "id", "2.8978245e8" },
        { "id", "0" },
        { "id", "-1" },
        { "id", "true" },
        { "id", "99999999999999999999" },
        { "run_attempt", null },
        { "run_attempt", "null" },
        { "run_attempt", "\"1\"" },
        { "run_attempt", "1.0" },
        { "run_attempt", "1.5" },
        { "run_attempt", "0" },
        { "run_attempt", "-1" },
        { "run_attempt", "4294967297" },
    };

    [Theory]
    [MemberData(nameof(UnreadableNumbers))]
    public void An_unreadable_run_id_or_attempt_never_applies_and_is_never_guessed(string field, string? json)
    {
        var context = Context(Repository, raw: (field, json));

        var verdict = TriggerGate.Verdict(context, []);

        Assert.False(verdict.ApplyAllowed);
        Assert.Contains($"the workflow_run payload's {field} is not a whole number above 0", verdict.Reason, StringComparison.Ordinal);
        Assert.Equal(field == "id" ? "workflow_run:unknown:1" : "workflow_run:289782451:unknown", verdict.Trigger);
    }

    [Theory]
    [InlineData("id", "289782452", "workflow_run:289782452:1")]
    [InlineData("run_attempt", "3", "workflow_run:289782451:3")]
    public void A_readable_run_identity_is_the_re_run_checks_key(string field, string json, string key)
    {
        var context = Context(Repository, raw: (field, json));

        Assert.True(TriggerGate.Verdict(context, []).ApplyAllowed);
        Assert.Equal(key, TriggerGate.KeyOf(context));
        var applied = new AuditRecord { Timestamp = CliHarness.Now, Event = AuditEvents.ResponseStarted, Mode = "apply", Trigger = key };
        Assert.Contains("has already applied", TriggerGate.Verdict(context, [applied]).Reason, StringComparison.Ordinal);
    }
}
