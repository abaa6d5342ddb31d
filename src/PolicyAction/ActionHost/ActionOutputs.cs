using PolicyAction.Responses;
using PolicyAction.State;

namespace PolicyAction.ActionHost;

/// <summary>The step outputs declared in action.yml; every one is always set, empty when it does not apply.</summary>
internal sealed class ActionOutputs
{
    public static readonly IReadOnlyList<string> Names =
        ["response-id", "outcome", "mode", "blocked", "blocked-by", "actions-planned", "actions-failed", "plan-digest", "commit-sha", "alerts", "issue-urls", "level", "level-changed", "signals-firing"];

    private readonly Dictionary<string, string> _values = Names.ToDictionary(n => n, _ => string.Empty, StringComparer.Ordinal);

    public IEnumerable<KeyValuePair<string, string>> Values => Names.Select(n => new KeyValuePair<string, string>(n, _values[n]));

    public void Blocked(bool blocked, IReadOnlyList<string> by)
    {
        _values["blocked"] = blocked ? "true" : "false";
        _values["blocked-by"] = string.Join(',', by);
    }

    public void Response(RespondResult result)
    {
        var report = result.Report;
        _values["response-id"] = report.ResponseId.ToString("D");
        _values["outcome"] = Outcome(result.Outcome);
        _values["mode"] = report.Mode.ToWire();
        _values["actions-planned"] = report.ActionsPlanned.ToString();
        _values["actions-failed"] = report.ActionsFailed.ToString();
        _values["plan-digest"] = report.PlanDigest;
        Blocked(result.Outcome == ResponseOutcome.Blocked, report.BlockedBy);
    }

    /// <summary>
    /// The outcome output: what the response came to, whichever stage decided it (a gate on the checkout or the
    /// reservation on the branch both give blocked). Mode says what the run was to do; outcome, what happened.
    /// </summary>
    public static string Outcome(ResponseOutcome outcome) => outcome switch
    {
        ResponseOutcome.Applied => "applied",
        ResponseOutcome.DryRun => "dry-run",
        ResponseOutcome.Blocked => "blocked",
        ResponseOutcome.ActionFailed => "failed",
        _ => "nothing-to-do",
    };

    /// <summary>The evaluated level, whether it changed, and the ids of the signals that drove it (comma-separated).</summary>
    public void Evaluation(Orchestrator.LevelDecision decision)
    {
        _values["level"] = decision.Level.ToName();
        _values["level-changed"] = decision.Changed ? "true" : "false";
        _values["signals-firing"] = string.Join(',', decision.Firing.Select(s => s.Signal.Id));
    }

    public void Set(string name, string value)
    {
        if (!_values.ContainsKey(name))
        {
            throw new ArgumentException($"'{name}' is not an output declared in action.yml", nameof(name));
        }

        _values[name] = value;
    }
}
