using YamlDotNet.Serialization;

namespace PolicyAction.Configuration;

// The raw YAML shape, bound by YamlDotNet's source-generated (reflection-free) deserializer.
// Everything is nullable so that validation, not the binder, decides what is required.

[YamlSerializable]
internal sealed class ConfigDocument
{
    [YamlMember(Alias = "version")]
    public int? Version { get; set; }

    [YamlMember(Alias = "gates")]
    public GatesDocument? Gates { get; set; }

    [YamlMember(Alias = "levels")]
    public Dictionary<string, List<ActionDocument>?>? Levels { get; set; }

    [YamlMember(Alias = "alerts")]
    public AlertsDocument? Alerts { get; set; }

    [YamlMember(Alias = "evaluation")]
    public EvaluationDocument? Evaluation { get; set; }

    [YamlMember(Alias = "signals")]
    public List<SignalDocument?>? Signals { get; set; }
}

[YamlSerializable]
internal sealed class EvaluationDocument
{
    [YamlMember(Alias = "on_unknown")]
    public string? OnUnknown { get; set; }

    [YamlMember(Alias = "calm_for")]
    public string? CalmFor { get; set; }
}

[YamlSerializable]
internal sealed class SignalDocument
{
    [YamlMember(Alias = "id")]
    public string? Id { get; set; }

    [YamlMember(Alias = "description")]
    public string? Description { get; set; }

    [YamlMember(Alias = "command")]
    public CommandSignalDocument? Command { get; set; }

    [YamlMember(Alias = "file")]
    public FileSignalDocument? File { get; set; }

    [YamlMember(Alias = "github")]
    public GitHubSignalDocument? GitHub { get; set; }

    [YamlMember(Alias = "yellow")]
    public string? Yellow { get; set; }

    [YamlMember(Alias = "red")]
    public string? Red { get; set; }

    [YamlMember(Alias = "for")]
    public string? For { get; set; }

    [YamlMember(Alias = "dry_run")]
    public bool? DryRun { get; set; }

    [YamlMember(Alias = "on_unknown")]
    public string? OnUnknown { get; set; }
}

[YamlSerializable]
internal sealed class CommandSignalDocument
{
    [YamlMember(Alias = "run")]
    public List<string>? Run { get; set; }

    [YamlMember(Alias = "timeout_seconds")]
    public int? TimeoutSeconds { get; set; }

    [YamlMember(Alias = "value")]
    public string? Value { get; set; }
}

[YamlSerializable]
internal sealed class FileSignalDocument
{
    [YamlMember(Alias = "path")]
    public string? Path { get; set; }

    [YamlMember(Alias = "pointer")]
    public string? Pointer { get; set; }

    [YamlMember(Alias = "value")]
    public string? Value { get; set; }
}

[YamlSerializable]
internal sealed class GitHubSignalDocument
{
    [YamlMember(Alias = "query")]
    public string? Query { get; set; }

    [YamlMember(Alias = "workflow")]
    public string? Workflow { get; set; }

    [YamlMember(Alias = "window")]
    public string? Window { get; set; }

    [YamlMember(Alias = "measure")]
    public string? Measure { get; set; }

    [YamlMember(Alias = "branch")]
    public string? Branch { get; set; }

    [YamlMember(Alias = "min_severity")]
    public string? MinSeverity { get; set; }

    [YamlMember(Alias = "ref")]
    public string? Ref { get; set; }

    [YamlMember(Alias = "label")]
    public string? Label { get; set; }
}

[YamlSerializable]
internal sealed class AlertsDocument
{
    [YamlMember(Alias = "fail_on")]
    public string? FailOn { get; set; }

    [YamlMember(Alias = "rules")]
    public Dictionary<string, RuleDocument?>? Rules { get; set; }

    [YamlMember(Alias = "issues")]
    public IssuesDocument? Issues { get; set; }

    [YamlMember(Alias = "silences")]
    public List<SilenceDocument?>? Silences { get; set; }

    [YamlMember(Alias = "runbook_url")]
    public string? RunbookUrl { get; set; }
}

[YamlSerializable]
internal sealed class RuleDocument
{
    [YamlMember(Alias = "enabled")]
    public bool? Enabled { get; set; }

    [YamlMember(Alias = "severity")]
    public string? Severity { get; set; }

    [YamlMember(Alias = "more_than")]
    public int? MoreThan { get; set; }

    [YamlMember(Alias = "longer_than")]
    public string? LongerThan { get; set; }

    [YamlMember(Alias = "window")]
    public string? Window { get; set; }

    [YamlMember(Alias = "prefix")]
    public string? Prefix { get; set; }

    [YamlMember(Alias = "create_fix_branch")]
    public bool? CreateFixBranch { get; set; }
}

[YamlSerializable]
internal sealed class IssuesDocument
{
    [YamlMember(Alias = "enabled")]
    public bool? Enabled { get; set; }

    [YamlMember(Alias = "min_severity")]
    public string? MinSeverity { get; set; }

    [YamlMember(Alias = "labels")]
    public List<string>? Labels { get; set; }

    [YamlMember(Alias = "assignees")]
    public List<string>? Assignees { get; set; }

    [YamlMember(Alias = "repeat_interval")]
    public string? RepeatInterval { get; set; }

    [YamlMember(Alias = "reopen_within")]
    public string? ReopenWithin { get; set; }

    [YamlMember(Alias = "close_on_resolve")]
    public bool? CloseOnResolve { get; set; }
}

[YamlSerializable]
internal sealed class SilenceDocument
{
    [YamlMember(Alias = "alert")]
    public string? Alert { get; set; }

    [YamlMember(Alias = "until")]
    public string? Until { get; set; }

    [YamlMember(Alias = "reason")]
    public string? Reason { get; set; }
}

[YamlSerializable]
internal sealed class GatesDocument
{
    [YamlMember(Alias = "max_responses_per_24h")]
    public int? MaxResponsesPer24Hours { get; set; }

    [YamlMember(Alias = "max_manual_unlocks_per_day")]
    public int? MaxManualUnlocksPerDay { get; set; }
}

[YamlSerializable]
internal sealed class ActionDocument
{
    [YamlMember(Alias = "id")]
    public string? Id { get; set; }

    [YamlMember(Alias = "description")]
    public string? Description { get; set; }

    [YamlMember(Alias = "run")]
    public List<string>? Run { get; set; }

    [YamlMember(Alias = "timeout_seconds")]
    public int? TimeoutSeconds { get; set; }

    [YamlMember(Alias = "continue_on_error")]
    public bool? ContinueOnError { get; set; }

    [YamlMember(Alias = "reversible")]
    public ReversibleDocument? Reversible { get; set; }

    [YamlMember(Alias = "undo_instruction")]
    public string? UndoInstruction { get; set; }
}

[YamlSerializable]
internal sealed class ReversibleDocument
{
    [YamlMember(Alias = "paths")]
    public List<string>? Paths { get; set; }
}

[YamlStaticContext]
[YamlSerializable(typeof(ConfigDocument))]
[YamlSerializable(typeof(GatesDocument))]
[YamlSerializable(typeof(ActionDocument))]
[YamlSerializable(typeof(ReversibleDocument))]
[YamlSerializable(typeof(AlertsDocument))]
[YamlSerializable(typeof(RuleDocument))]
[YamlSerializable(typeof(IssuesDocument))]
[YamlSerializable(typeof(SilenceDocument))]
[YamlSerializable(typeof(EvaluationDocument))]
[YamlSerializable(typeof(SignalDocument))]
[YamlSerializable(typeof(CommandSignalDocument))]
[YamlSerializable(typeof(FileSignalDocument))]
[YamlSerializable(typeof(GitHubSignalDocument))]
public sealed partial class ConfigYamlContext : StaticContext
{
}
