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
    private const long MaxConfigBytes = 1024 * 1024;

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
    };

    public static string DefaultPath(string workspace) => Path.Combine(workspace, ".github", "policy-response.yml");

    public static PolicyConfig Load(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new ConfigurationException(
                $"no configuration file at {path}. Create it (every key is described in docs/configuration.md; "
                + "examples/workspace/.github/policy-response.yml is a working example) or pass --config PATH.");
        }

        if (file.Length > MaxConfigBytes)
        {
            throw new ConfigurationException([new ConfigProblem(path, null, null, string.Empty, $"file is {file.Length} bytes; the limit is {MaxConfigBytes}")]);
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException([new ConfigProblem(path, null, null, string.Empty, $"cannot be read: {e.Message}")]);
        }

        var content = bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsSpan(3) : bytes.AsSpan();
        if (StrictUtf8.FirstInvalidByte(content) is { } bad)
        {
            var line = content[..bad].Count((byte)'\n') + 1;
            var column = bad - (content[..bad].LastIndexOf((byte)'\n') + 1) + 1;
            throw new ConfigurationException([new ConfigProblem(path, line, column, string.Empty, $"is not valid UTF-8 text (byte 0x{content[bad]:X2}); save the file as UTF-8")]);
        }

        var text = StrictUtf8.Encoding.GetString(content);

        return Parse(text, path);
    }

    public static PolicyConfig Parse(string text, string path)
    {
        YamlPositionIndex index;
        try
        {
            index = YamlPositionIndex.Parse(text);
        }
        catch (YamlException e)
        {
            // YamlDotNet places a tab-indentation error at 1:1; point at the tab instead.
            var mark = Describe(e).Contains("tab", StringComparison.Ordinal) && FirstIndentingTab(text) is { } tab ? tab : e.Start;
            throw new ConfigurationException([Problem(path, mark, string.Empty, $"not valid YAML: {Describe(e)}; indent with spaces only")]);
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

        var problems = new List<ConfigProblem>();
        var config = Validate(document, index, path, problems);
        if (problems.Count > 0)
        {
            throw new ConfigurationException(problems);
        }

        return config;
    }

    private static PolicyConfig Validate(ConfigDocument document, YamlPositionIndex index, string path, List<ConfigProblem> problems)
    {
        void Report(string field, string message, bool atValue = true)
        {
            var mark = atValue ? index.FindValue(field) : index.Find(field);
            problems.Add(mark is { } m ? Problem(path, m, field, message) : new ConfigProblem(path, null, null, field, message));
        }

        if (document.Version is null)
        {
            Report("version", "is required; add 'version: 1' at the top");
        }
        else if (document.Version != SupportedVersion)
        {
            Report("version", $"version {document.Version} is not supported; this release reads version {SupportedVersion}");
        }

        var limits = GateLimits.Default;
        if (document.Gates is { } gates)
        {
            var maxResponses = gates.MaxResponsesPer24Hours ?? GateLimits.DefaultMaxResponsesPer24Hours;
            var maxUnlocks = gates.MaxManualUnlocksPerDay ?? GateLimits.DefaultMaxManualUnlocksPerDay;
            if (maxResponses < 0)
            {
                Report("gates.max_responses_per_24h", "must be 0 or more");
            }

            if (maxUnlocks < 0)
            {
                Report("gates.max_manual_unlocks_per_day", "must be 0 or more");
            }

            limits = new GateLimits(maxResponses, maxUnlocks);
        }

        var levels = new Dictionary<PolicyLevel, IReadOnlyList<ActionDefinition>>();
        if (document.Levels is null)
        {
            Report("levels", "is required: map YELLOW and/or RED to the actions to run");
        }
        else
        {
            foreach (var (name, actions) in document.Levels)
            {
                var levelPath = $"levels.{name}";
                if (!PolicyLevels.TryParse(name, out var level) || !string.Equals(name, level.ToName(), StringComparison.Ordinal))
                {
                    Report(levelPath, $"unknown level '{name}'; expected YELLOW or RED (upper case)", atValue: false);
                    continue;
                }

                if (level == PolicyLevel.Green)
                {
                    Report(levelPath, "GREEN is the all-clear level and takes no actions; remove it", atValue: false);
                    continue;
                }

                levels[level] = ValidateActions(actions ?? [], levelPath, index, Report);
            }
        }

        var alerts = document.Alerts is null ? AlertSettings.Default : ValidateAlerts(document.Alerts, Report);
        return new PolicyConfig(path, document.Version ?? SupportedVersion, limits, levels) { Alerts = alerts };
    }

    private static AlertSettings ValidateAlerts(AlertsDocument document, Action<string, string, bool> report)
    {
        Severity? failOn = Severity.High;
        if (document.FailOn is { } failText)
        {
            failOn = failText == "none" ? null
                : Severities.TryParse(failText, out var parsed) ? parsed
                : Invalid<Severity?>(report, "alerts.fail_on", $"'{failText}' is not a severity; expected critical, high, medium, low or none", Severity.High);
        }

        // Which keys mean something for which rule; anything else is a mistake worth naming.
        var applies = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            [AlertIds.RedFlips] = ["more_than", "window"],
            [AlertIds.BrakeEngaged] = ["longer_than"],
            [AlertIds.BlockedStreak] = ["more_than"],
            [AlertIds.FixBranches] = ["prefix", "window"],
            [AlertIds.ActionFailures] = ["more_than", "create_fix_branch"],
        };
        var rules = AlertSettings.Default.Rules.ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
        foreach (var (id, rule) in document.Rules ?? [])
        {
            var at = $"alerts.rules.{id}";
            if (!applies.TryGetValue(id, out var keys))
            {
                report(at, $"unknown alert '{id}'; expected one of: {string.Join(", ", AlertIds.All)}", false);
                continue;
            }

            if (rule is null)
            {
                continue;
            }

            var current = rules[id];
            void NotFor(string key, bool given)
            {
                if (given && !keys.Contains(key))
                {
                    report($"{at}.{key}", $"does not apply to {id}; its settings are enabled, severity, {string.Join(", ", keys)}", false);
                }
            }

            NotFor("more_than", rule.MoreThan is not null);
            NotFor("longer_than", rule.LongerThan is not null);
            NotFor("window", rule.Window is not null);
            NotFor("prefix", rule.Prefix is not null);
            NotFor("create_fix_branch", rule.CreateFixBranch is not null);

            var severity = current.Severity;
            if (rule.Severity is { } severityText && !Severities.TryParse(severityText, out severity))
            {
                report($"{at}.severity", $"'{severityText}' is not a severity; expected critical, high, medium or low", true);
            }

            if (rule.MoreThan is < 0)
            {
                report($"{at}.more_than", "must be 0 or more", true);
            }

            if (rule.Prefix is { } prefix && (prefix.Length == 0 || prefix.Contains("..", StringComparison.Ordinal) || prefix.StartsWith('/') || prefix.Any(char.IsWhiteSpace)))
            {
                report($"{at}.prefix", $"'{prefix}' is not a branch-name prefix such as fix/", true);
            }

            rules[id] = current with
            {
                Enabled = rule.Enabled ?? current.Enabled,
                Severity = severity,
                MoreThan = rule.MoreThan ?? current.MoreThan,
                LongerThan = Duration(rule.LongerThan, $"{at}.longer_than", current.LongerThan, report),
                Window = Duration(rule.Window, $"{at}.window", current.Window, report),
                Prefix = rule.Prefix ?? current.Prefix,
                CreateFixBranch = rule.CreateFixBranch ?? current.CreateFixBranch,
            };
        }

        var issues = AlertSettings.DefaultIssues;
        if (document.Issues is { } issueDocument)
        {
            var minSeverity = issues.MinSeverity;
            if (issueDocument.MinSeverity is { } minText && !Severities.TryParse(minText, out minSeverity))
            {
                report("alerts.issues.min_severity", $"'{minText}' is not a severity; expected critical, high, medium or low", true);
            }

            issues = new IssueSettings(
                issueDocument.Enabled ?? issues.Enabled,
                minSeverity,
                issueDocument.Labels ?? issues.Labels,
                issueDocument.Assignees ?? issues.Assignees,
                Duration(issueDocument.RepeatInterval, "alerts.issues.repeat_interval", issues.RepeatInterval, report),
                Duration(issueDocument.ReopenWithin, "alerts.issues.reopen_within", issues.ReopenWithin, report),
                issueDocument.CloseOnResolve ?? issues.CloseOnResolve);
            if (issues.Labels.Count == 0)
            {
                report("alerts.issues.labels", "needs at least one label: alert issues are found by it", true);
            }
        }

        var silences = new List<Silence>();
        for (var i = 0; i < (document.Silences?.Count ?? 0); i++)
        {
            var silence = document.Silences![i];
            var at = $"alerts.silences[{i}]";
            if (silence is null || silence.Alert is null || !AlertIds.All.Contains(silence.Alert, StringComparer.Ordinal))
            {
                report($"{at}.alert", $"must name an alert: one of {string.Join(", ", AlertIds.All)}", true);
                continue;
            }

            if (!DateTimeOffset.TryParse(silence.Until, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var until))
            {
                report($"{at}.until", "must be a date and time such as 2026-12-01T00:00:00Z", true);
                continue;
            }

            if (string.IsNullOrWhiteSpace(silence.Reason))
            {
                report($"{at}.reason", "is required: say why the alert is silenced", true);
                continue;
            }

            silences.Add(new Silence(silence.Alert, until.ToUniversalTime(), silence.Reason.Trim()));
        }

        return new AlertSettings(failOn, rules, issues, silences);
    }

    private static TimeSpan Duration(string? text, string field, TimeSpan fallback, Action<string, string, bool> report)
    {
        if (text is null)
        {
            return fallback;
        }

        if (Durations.TryParse(text, out var duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }

        report(field, $"'{text}' is not a duration; write a whole number and a unit, such as 30m, 4h or 7d", true);
        return fallback;
    }

    private static T Invalid<T>(Action<string, string, bool> report, string field, string message, T fallback)
    {
        report(field, message, true);
        return fallback;
    }

    private static List<ActionDefinition> ValidateActions(List<ActionDocument> actions, string levelPath, YamlPositionIndex index, Action<string, string, bool> report)
    {
        var result = new List<ActionDefinition>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            var at = $"{levelPath}[{i}]";
            if (action is null)
            {
                report(at, "expected an action mapping with 'id' and 'run'", true);
                continue;
            }

            var ok = true;
            if (string.IsNullOrWhiteSpace(action.Id))
            {
                report($"{at}.id", "is required: a short name such as integrity_check", true);
                ok = false;
            }
            else if (!ActionIdPattern().IsMatch(action.Id))
            {
                report($"{at}.id", $"'{action.Id}' must be 1-64 characters of a-z, 0-9, '_', '-' or '.', starting with a letter or digit", true);
                ok = false;
            }
            else if (!seen.Add(action.Id))
            {
                report($"{at}.id", $"'{action.Id}' is used twice in this level", true);
                ok = false;
            }

            if (action.Run is null || action.Run.Count == 0)
            {
                report($"{at}.run", "is required: the command as a list, e.g. [\"/usr/bin/sha256sum\", \"-c\", \"manifest.sha256\"]", true);
                ok = false;
            }
            else
            {
                for (var j = 0; j < action.Run.Count; j++)
                {
                    var arg = action.Run[j];
                    if (arg is null || arg.Contains('\0', StringComparison.Ordinal))
                    {
                        report($"{at}.run[{j}]", "must be a string without NUL characters", true);
                        ok = false;
                    }
                }

                var program = action.Run[0];
                if (string.IsNullOrWhiteSpace(program))
                {
                    report($"{at}.run[0]", "the program must not be empty", true);
                    ok = false;
                }
                else if (!Path.IsPathRooted(program) && program.Contains('/', StringComparison.Ordinal))
                {
                    report($"{at}.run[0]", $"'{program}' is a relative path; use an absolute path or a bare command name found on PATH (a workspace file would run whatever the repository contains)", true);
                    ok = false;
                }
            }

            var timeout = action.TimeoutSeconds ?? ActionDefinition.DefaultTimeoutSeconds;
            if (timeout < 1 || timeout > ActionDefinition.MaxTimeoutSeconds)
            {
                report($"{at}.timeout_seconds", $"must be between 1 and {ActionDefinition.MaxTimeoutSeconds}", true);
                ok = false;
            }

            var paths = new List<string>();
            if (action.Reversible is null && index.Has($"{at}.reversible"))
            {
                report($"{at}.reversible", "is empty; give the files the action changes under 'paths', or remove 'reversible'", true);
                ok = false;
            }

            if (action.Reversible is { } reversible)
            {
                if (reversible.Paths is null || reversible.Paths.Count == 0)
                {
                    report($"{at}.reversible.paths", "is required for a reversible action: the workspace files the action changes", true);
                    ok = false;
                }
                else
                {
                    for (var j = 0; j < reversible.Paths.Count; j++)
                    {
                        var problem = WorkspacePaths.CheckRelative(reversible.Paths[j]);
                        if (problem is not null)
                        {
                            report($"{at}.reversible.paths[{j}]", problem, true);
                            ok = false;
                        }
                        else
                        {
                            paths.Add(WorkspacePaths.Normalize(reversible.Paths[j]));
                        }
                    }
                }
            }

            if (ok)
            {
                result.Add(new ActionDefinition(
                    action.Id!,
                    action.Description,
                    action.Run!.ToArray(),
                    timeout,
                    action.ContinueOnError ?? false,
                    paths.Distinct(StringComparer.Ordinal).ToArray(),
                    action.UndoInstruction));
            }
        }

        return result;
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

    private static string? KnownKeys(string parentPath)
    {
        if (parentPath.Length == 0)
        {
            return "version, gates, levels, alerts";
        }

        if (parentPath == "alerts")
        {
            return "fail_on, rules, issues, silences";
        }

        if (parentPath.StartsWith("alerts.rules.", StringComparison.Ordinal))
        {
            return "enabled, severity, more_than, longer_than, window, prefix, create_fix_branch";
        }

        if (parentPath == "alerts.issues")
        {
            return "enabled, min_severity, labels, assignees, repeat_interval, reopen_within, close_on_resolve";
        }

        if (parentPath.StartsWith("alerts.silences", StringComparison.Ordinal))
        {
            return "alert, until, reason";
        }

        if (parentPath == "gates")
        {
            return "max_responses_per_24h, max_manual_unlocks_per_day";
        }

        if (parentPath.StartsWith("levels.", StringComparison.Ordinal) && parentPath.EndsWith(']'))
        {
            return "id, description, run, timeout_seconds, continue_on_error, reversible, undo_instruction";
        }

        return parentPath.EndsWith(".reversible", StringComparison.Ordinal) ? "paths" : null;
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

    private static ConfigProblem Problem(string path, Mark mark, string field, string message) =>
        new(path, (int)mark.Line, (int)mark.Column, field, message);

    [GeneratedRegex(@"^[a-z0-9][a-z0-9_.-]{0,63}\z")]
    private static partial Regex ActionIdPattern();

    [GeneratedRegex("Property '([^']*)' not found")]
    private static partial Regex UnknownPropertyPattern();
}
