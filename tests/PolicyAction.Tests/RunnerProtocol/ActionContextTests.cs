using PolicyAction.RunnerProtocol;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.RunnerProtocol;

public class ActionContextTests
{
    private static string Payload(string name) => Path.Combine(RepositoryRoot.Path, "..", "shared", "webhook-payloads", name);

    private static Dictionary<string, string> Runner(string eventName, string payloadPath) => new()
    {
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_EVENT_NAME"] = eventName,
        ["GITHUB_EVENT_PATH"] = payloadPath,
        ["GITHUB_REPOSITORY"] = "octo-org/octo-repo",
        ["GITHUB_API_URL"] = "https://ghe.example.com/api/v3",
        ["GITHUB_SERVER_URL"] = "https://ghe.example.com",
        ["GITHUB_RUN_ID"] = "42",
        ["GITHUB_RUN_ATTEMPT"] = "2",
        ["GITHUB_ACTOR"] = "octocat",
    };

    [Fact]
    public void Reads_the_real_workflow_run_payload()
    {
        var context = ActionContext.FromEnvironment(Runner("workflow_run", Payload("workflow_run.completed.json")));

        Assert.True(context.IsGitHubActions);
        Assert.Equal("workflow_run", context.EventName);
        Assert.Equal("https://ghe.example.com/api/v3", context.ApiUrl);
        var run = Assert.IsType<WorkflowRunInfo>(context.WorkflowRun);
        Assert.Equal((289782451L, 1, "success", "octo-org/octo-repo"), (run.Id, run.RunAttempt, run.Conclusion, run.HeadRepository));
        Assert.Equal("https://ghe.example.com/octo-org/octo-repo/actions/runs/42/attempts/2", context.RunUrl);
        Assert.Equal("master", context.DefaultBranch);
    }

    [Fact]
    public void Reads_the_real_workflow_dispatch_payload()
    {
        var context = ActionContext.FromEnvironment(Runner("workflow_dispatch", Payload("workflow_dispatch.json")));

        Assert.Null(context.WorkflowRun);
        Assert.Empty(context.DispatchInputs);
    }

    [Fact]
    public void Defaults_to_github_com_outside_a_runner()
    {
        var context = ActionContext.FromEnvironment(new Dictionary<string, string>());

        Assert.False(context.IsGitHubActions);
        Assert.Equal("https://api.github.com", context.ApiUrl);
        Assert.Null(context.RunUrl);
    }

    [Theory]
    [InlineData(null, "does not exist")]
    [InlineData("{\"workflow_run\": ", "not valid JSON")]
    [InlineData("[1, 2]", "not a JSON object")]
    public void An_unreadable_payload_fails_closed(string? content, string words)
    {
        using var folder = new TempWorkspace();
        if (content is not null)
        {
            folder.Write("event.json", content);
        }

        var error = Assert.Throws<StateFileException>(() => ActionContext.FromEnvironment(Runner("workflow_run", folder.PathOf("event.json"))));

        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.UsageOrStateError, error.ExitCode);
    }

    [Theory]
    [InlineData("{\"workflow_run\": {\"head_commit\": {\"message\": \"fix \\ud800 it\"}}}")]
    [InlineData("{\"workflow_run\": {\"head_branch\": \"\\udc00\"}}")]
    [InlineData("{\"workflow_run\": {\"name\": \"\\n\\\\\\ud83d\"}}")]
    [InlineData("{\"workflow_run\": {\"name\": \"\\uD800\\u0041\"}}")]
    [InlineData("{\"inputs\": {\"\\ud800\": \"RED\"}}")]
    [InlineData("[\"ok \\ud83d\\ude00\", {\"deep\": [[\"\\ude00\\ud83d\"]]}]")]
    public void A_string_with_a_lone_surrogate_escape_fails_closed_naming_the_byte_of_the_escape(string payload)
    {
        using var folder = new TempWorkspace();
        folder.Write("event.json", payload);

        var error = Assert.Throws<StateFileException>(() => ActionContext.FromEnvironment(Runner("workflow_run", folder.PathOf("event.json"))));

        Assert.Equal(ExitCodes.UsageOrStateError, error.ExitCode);
        Assert.Equal(folder.PathOf("event.json"), error.FilePath);
        var offset = int.Parse(System.Text.RegularExpressions.Regex.Match(error.Problem, @"\(byte (\d+)\)$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Matches("^\\\\u[dD][89a-fA-F]", System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(payload).AsSpan(offset, 6)));
        Assert.StartsWith("the event payload is not valid text: a string holds a lone UTF-16 surrogate escape", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_surrogate_pair_and_other_escapes_are_text()
    {
        using var folder = new TempWorkspace();
        folder.Write("event.json", "{\"workflow_run\": {\"name\": \"\\ud83d\\ude00 \\\\ud800 \\u00e9 \\\"\", \"id\": 7, \"run_attempt\": 2}}");

        var context = ActionContext.FromEnvironment(Runner("workflow_run", folder.PathOf("event.json")));

        Assert.Equal("\U0001F600 \\ud800 \u00e9 \"", context.WorkflowRun!.Name);
        Assert.Equal((7L, 2), (context.WorkflowRun.Id, context.WorkflowRun.RunAttempt));
    }

    [Fact]
    public void Dispatch_inputs_keep_their_values_as_text()
    {
        using var folder = new TempWorkspace();
        folder.Write("event.json", "{\"inputs\": {\"auto_apply\": true, \"policy\": \"RED\", \"n\": 3}}");

        var context = ActionContext.FromEnvironment(Runner("workflow_dispatch", folder.PathOf("event.json")));

        Assert.Equal(new Dictionary<string, string> { ["auto_apply"] = "true", ["policy"] = "RED", ["n"] = "3" }, context.DispatchInputs);
    }
}
