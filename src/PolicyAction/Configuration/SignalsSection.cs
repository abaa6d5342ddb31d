using System.Globalization;
using System.Text.RegularExpressions;
using PolicyAction.Orchestrator;
using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Configuration;

/// <summary>
/// The <c>evaluation:</c> and <c>signals:</c> sections: what the orchestrator reads and the conditions that ask for
/// YELLOW and RED. Every condition, duration and source is checked here, so evaluate never meets a bad one.
/// </summary>
internal static partial class SignalsSection
{
    public const int MaxSignals = 100;

    private static readonly Dictionary<string, GitHubQuery> Queries = new(StringComparer.Ordinal)
    {
        ["workflow_runs"] = GitHubQuery.WorkflowRuns,
        ["dependabot_alerts"] = GitHubQuery.DependabotAlerts,
        ["code_scanning_alerts"] = GitHubQuery.CodeScanningAlerts,
        ["secret_scanning_alerts"] = GitHubQuery.SecretScanningAlerts,
        ["check_runs"] = GitHubQuery.CheckRuns,
        ["commit_status"] = GitHubQuery.CommitStatus,
        ["issues"] = GitHubQuery.Issues,
    };

    /// <summary>The query names, as the configuration spells them.</summary>
    public static IReadOnlyCollection<string> QueryNames => Queries.Keys;

    public static EvaluationSettings ValidateEvaluation(EvaluationDocument? document, ConfigProblems problems)
    {
        if (document is null)
        {
            return EvaluationSettings.Default;
        }

        var onUnknown = UnknownPolicyOf(document.OnUnknown, "evaluation.on_unknown", problems) ?? UnknownPolicy.Yellow;
        var calmFor = PersistenceOf(document.CalmFor, "evaluation.calm_for", problems) ?? Persistence.TwoEvaluations;
        return new EvaluationSettings(onUnknown, calmFor);
    }

    public static IReadOnlyList<SignalDefinition> Validate(List<SignalDocument?>? document, ConfigProblems problems)
    {
        if (document is null)
        {
            return [];
        }

        if (document.Count > MaxSignals)
        {
            problems.Report("signals", $"has {document.Count} signals; at most {MaxSignals}");
            return [];
        }

        var result = new List<SignalDefinition>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < document.Count; i++)
        {
            var at = $"signals[{i}]";
            if (document[i] is not { } signal)
            {
                problems.Report(at, "expected a signal mapping with 'id', a source (command, file or github) and a 'yellow' or 'red' condition");
                continue;
            }

            var before = problems.Found.Count;
            if (string.IsNullOrWhiteSpace(signal.Id))
            {
                problems.Report($"{at}.id", "is required: a short name such as failed_ci");
            }
            else if (!IdPattern().IsMatch(signal.Id))
            {
                problems.Report($"{at}.id", $"'{signal.Id}' must be 1-64 characters of a-z, 0-9, '_', '-' or '.', starting with a letter or digit");
            }
            else if (!seen.Add(signal.Id))
            {
                problems.Report($"{at}.id", $"'{signal.Id}' is used by an earlier signal; ids must be unique");
            }

            var source = Source(signal, at, problems);
            var yellow = ConditionOf(signal.Yellow, $"{at}.yellow", problems);
            var red = ConditionOf(signal.Red, $"{at}.red", problems);
            if (signal.Yellow is null && signal.Red is null && !problems.Has($"{at}.yellow") && !problems.Has($"{at}.red"))
            {
                problems.Report(at, "needs a 'yellow' or a 'red' condition (or both), such as red: \"> 3\"");
            }

            var persistence = PersistenceOf(signal.For, $"{at}.for", problems) ?? Persistence.Immediately;
            var onUnknown = UnknownPolicyOf(signal.OnUnknown, $"{at}.on_unknown", problems);
            if (problems.Found.Count == before && source is not null)
            {
                result.Add(new SignalDefinition(signal.Id!, signal.Description, source, yellow, red, persistence, signal.DryRun ?? false, onUnknown));
            }
        }

        return result;
    }

    private static SignalSource? Source(SignalDocument signal, string at, ConfigProblems problems)
    {
        var given = new[] { (signal.Command is not null || problems.Has($"{at}.command"), "command"), (signal.File is not null || problems.Has($"{at}.file"), "file"), (signal.GitHub is not null || problems.Has($"{at}.github"), "github") }
            .Where(s => s.Item1).Select(s => s.Item2).ToArray();
        if (given.Length == 0)
        {
            problems.Report(at, "needs a source: one of command, file or github");
            return null;
        }

        if (given.Length > 1)
        {
            problems.Report($"{at}.{given[1]}", $"a signal has one source; this one has {string.Join(" and ", given)}", atValue: false);
            return null;
        }

        return given[0] switch
        {
            "command" => Command(signal.Command, $"{at}.command", problems),
            "file" => File(signal.File, $"{at}.file", problems),
            _ => GitHub(signal.GitHub, $"{at}.github", problems),
        };
    }

    private static CommandSource? Command(CommandSignalDocument? command, string at, ConfigProblems problems)
    {
        if (command is null)
        {
            problems.Report(at, "is empty; give the program to run under 'run', e.g. run: [\"/usr/bin/test\", \"-s\", \"report.json\"]");
            return null;
        }

        var ok = LevelsSection.CheckRun(command.Run, $"{at}.run", problems);
        var timeout = command.TimeoutSeconds ?? CommandSource.DefaultTimeoutSeconds;
        if (timeout < 1 || timeout > ActionDefinition.MaxTimeoutSeconds)
        {
            problems.Report($"{at}.timeout_seconds", $"must be between 1 and {ActionDefinition.MaxTimeoutSeconds}");
            ok = false;
        }

        var (value, pointer) = (CommandValue.ExitCode, (string?)null);
        switch (command.Value)
        {
            case null or "exit_code":
                break;
            case "stdout":
                value = CommandValue.Stdout;
                break;
            case { } text when text.StartsWith('/'):
                value = CommandValue.JsonPointer;
                pointer = text;
                if (PointerProblem(text) is { } pointerProblem)
                {
                    problems.Report($"{at}.value", pointerProblem);
                    ok = false;
                }

                break;
            default:
                problems.Report($"{at}.value", $"'{command.Value}' is not a value; expected exit_code (the default), stdout (a number printed on stdout) or a JSON pointer into stdout such as /summary/failed");
                ok = false;
                break;
        }

        return ok ? new CommandSource(command.Run!.ToArray(), timeout, value, pointer) : null;
    }

    private static FileSource? File(FileSignalDocument? file, string at, ConfigProblems problems)
    {
        if (file is null)
        {
            problems.Report(at, "is empty; give the workspace file under 'path'");
            return null;
        }

        var ok = true;
        if (file.Path is null)
        {
            problems.Report(at, "needs 'path': a file in the workspace, such as reports/scan.json");
            ok = false;
        }
        else if (WorkspacePaths.CheckRelative(file.Path) is { } problem)
        {
            problems.Report($"{at}.path", problem);
            ok = false;
        }

        if (file.Pointer is { } pointer && PointerProblem(pointer) is { } pointerProblem)
        {
            problems.Report($"{at}.pointer", pointerProblem);
            ok = false;
        }

        FileMeasure measure;
        switch (file.Value)
        {
            case null:
                measure = file.Pointer is null ? FileMeasure.Exists : FileMeasure.Number;
                break;
            case "number":
                measure = FileMeasure.Number;
                if (file.Pointer is null)
                {
                    problems.Report($"{at}.value", "number reads the value at 'pointer'; add pointer: /the/field");
                    ok = false;
                }

                break;
            case "exists":
                measure = FileMeasure.Exists;
                break;
            case "age":
                measure = FileMeasure.Age;
                break;
            default:
                problems.Report($"{at}.value", $"'{file.Value}' is not a value; expected number (the value at the pointer), exists or age");
                return null;
        }

        return ok ? new FileSource(WorkspacePaths.Normalize(file.Path!), measure, file.Pointer) : null;
    }

    private static GitHubSource? GitHub(GitHubSignalDocument? github, string at, ConfigProblems problems)
    {
        var names = string.Join(", ", Queries.Keys);
        if (github?.Query is not { } name)
        {
            problems.Report(github is null ? at : at, $"needs 'query': one of {names}");
            return null;
        }

        if (!Queries.TryGetValue(name, out var query))
        {
            problems.Report($"{at}.query", $"'{name}' is not a query; expected one of {names}");
            return null;
        }

        var before = problems.Found.Count;
        var allowed = query switch
        {
            GitHubQuery.WorkflowRuns => ["workflow", "window", "measure", "branch"],
            GitHubQuery.DependabotAlerts or GitHubQuery.CodeScanningAlerts => ["min_severity"],
            GitHubQuery.CheckRuns or GitHubQuery.CommitStatus => ["ref"],
            GitHubQuery.Issues => ["label"],
            _ => Array.Empty<string>(),
        };
        foreach (var (key, value) in new (string, string?)[] { ("workflow", github.Workflow), ("window", github.Window), ("measure", github.Measure), ("branch", github.Branch), ("min_severity", github.MinSeverity), ("ref", github.Ref), ("label", github.Label) })
        {
            if (value is not null && !allowed.Contains(key))
            {
                problems.Report($"{at}.{key}", $"does not apply to query {name}" + (allowed.Length == 0 ? string.Empty : $"; it takes {string.Join(", ", allowed)}"), atValue: false);
            }
        }

        if (query == GitHubQuery.WorkflowRuns && string.IsNullOrWhiteSpace(github.Workflow))
        {
            problems.Report(at, "query workflow_runs needs 'workflow': the workflow's file name (ci.yml) or id");
        }

        if (query == GitHubQuery.Issues && string.IsNullOrWhiteSpace(github.Label))
        {
            problems.Report(at, "query issues needs 'label': the label of the issues to count");
        }

        var window = github.Window is null ? GitHubSource.DefaultWindow : problems.Duration(github.Window, $"{at}.window", GitHubSource.DefaultWindow);
        var measure = github.Measure switch
        {
            null or "failed" => RunMeasure.Failed,
            "failure_ratio" => RunMeasure.FailureRatio,
            _ => Report($"{at}.measure", $"'{github.Measure}' is not a measure; expected failed (a count) or failure_ratio (0 to 1)", RunMeasure.Failed),
        };
        var severity = github.MinSeverity switch
        {
            null or "high" => AlertSeverityLevel.High,
            "low" => AlertSeverityLevel.Low,
            "medium" => AlertSeverityLevel.Medium,
            "critical" => AlertSeverityLevel.Critical,
            _ => Report($"{at}.min_severity", $"'{github.MinSeverity}' is not a severity; expected low, medium, high or critical", AlertSeverityLevel.High),
        };

        return problems.Found.Count == before
            ? new GitHubSource(query, github.Workflow?.Trim(), query == GitHubQuery.WorkflowRuns ? window : null, measure, github.Branch, severity, github.Ref, github.Label)
            : null;

        T Report<T>(string field, string message, T fallback)
        {
            problems.Report(field, message);
            return fallback;
        }
    }

    private static string? PointerProblem(string pointer) =>
        !pointer.StartsWith('/') ? $"'{pointer}' is not a JSON pointer; it starts with '/', such as /summary/failed"
        : Orchestrator.Providers.JsonPointer.Problem(pointer) is { } problem ? $"'{pointer}' is not a JSON pointer: {problem}"
        : null;

    private static Condition? ConditionOf(string? text, string field, ConfigProblems problems)
    {
        if (text is null)
        {
            if (problems.Has(field))
            {
                problems.Report(field, $"is empty; {Condition.Expected}");
            }

            return null;
        }

        var condition = Condition.TryParse(text, out var problem);
        if (condition is null)
        {
            problems.Report(field, problem!);
        }

        return condition;
    }

    /// <summary>A whole number of evaluations (1 or more) or a duration such as 6h.</summary>
    private static Persistence? PersistenceOf(string? text, string field, ConfigProblems problems)
    {
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= 1000)
        {
            return new Persistence(count, null);
        }

        if (Durations.TryParse(text, out var duration) && duration > TimeSpan.Zero)
        {
            return new Persistence(null, duration);
        }

        problems.Report(field, $"'{text}' is neither a number of evaluations (1 to 1000) nor a duration such as 6h or 2d");
        return null;
    }

    private static UnknownPolicy? UnknownPolicyOf(string? text, string field, ConfigProblems problems)
    {
        switch (text)
        {
            case null:
                return null;
            case "yellow":
                return UnknownPolicy.Yellow;
            case "red":
                return UnknownPolicy.Red;
            case "ignore":
                return UnknownPolicy.Ignore;
            default:
                problems.Report(field, $"'{text}' is not a choice; expected yellow (the default: fail safe without hard responses), red or ignore");
                return null;
        }
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9_.-]{0,63}\z")]
    private static partial Regex IdPattern();
}
