namespace PolicyAction.Orchestrator;

/// <summary>
/// One signal of <c>signals:</c> in the configuration: where its value comes from, the conditions that ask for
/// YELLOW and RED, how long a condition must hold before it counts, and whether it only shows (dry run).
/// </summary>
internal sealed record SignalDefinition(
    string Id,
    string? Description,
    SignalSource Source,
    Condition? Yellow,
    Condition? Red,
    Persistence For,
    bool DryRun,
    UnknownPolicy? OnUnknown)
{
    /// <summary>The condition this signal's value meets for <paramref name="level"/>, if it has one.</summary>
    public Condition? ConditionFor(PolicyLevel level) => level switch
    {
        PolicyLevel.Red => Red,
        PolicyLevel.Yellow => Yellow,
        _ => null,
    };
}

/// <summary>Where a signal's value comes from; each kind has its provider (<see cref="ISignalProvider"/>).</summary>
internal abstract record SignalSource
{
    /// <summary>The configuration key that names the provider: <c>command</c>, <c>file</c> or <c>github</c>.</summary>
    public abstract string Kind { get; }
}

/// <summary>What a command signal reads from its process.</summary>
internal enum CommandValue
{
    /// <summary>The exit code (0 for success).</summary>
    ExitCode,

    /// <summary>A number printed on stdout (the whole of it, trimmed).</summary>
    Stdout,

    /// <summary>The value at a JSON pointer into stdout.</summary>
    JsonPointer,
}

/// <summary>A program run like an action (argv, no shell, a timeout, the scrubbed environment, from the workspace).</summary>
internal sealed record CommandSource(IReadOnlyList<string> Run, int TimeoutSeconds, CommandValue Value, string? Pointer) : SignalSource
{
    public const int DefaultTimeoutSeconds = 60;

    public override string Kind => "command";
}

/// <summary>What a file signal reads.</summary>
internal enum FileMeasure
{
    /// <summary>The number at the JSON pointer.</summary>
    Number,

    /// <summary>Whether the file (and the pointer's value, if given) exists.</summary>
    Exists,

    /// <summary>Seconds since the timestamp at the pointer, or since the file was modified when there is no pointer.</summary>
    Age,
}

/// <summary>A file in the workspace, read beneath it.</summary>
internal sealed record FileSource(string Path, FileMeasure Measure, string? Pointer) : SignalSource
{
    public override string Kind => "file";
}

/// <summary>The GitHub questions a signal can ask (the <c>query</c> key).</summary>
internal enum GitHubQuery
{
    WorkflowRuns,
    DependabotAlerts,
    CodeScanningAlerts,
    SecretScanningAlerts,
    CheckRuns,
    CommitStatus,
    Issues,
}

/// <summary>What a workflow_runs signal counts.</summary>
internal enum RunMeasure
{
    /// <summary>Completed runs that failed (failure, timed_out, startup_failure).</summary>
    Failed,

    /// <summary>Failed runs over completed runs, 0 to 1 (0 when none completed).</summary>
    FailureRatio,
}

/// <summary>Alert severities in increasing order; code-scanning rule severities map onto them (note: low, warning: medium, error: high).</summary>
internal enum AlertSeverityLevel
{
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>
/// A question to GitHub through the forge seam. Only the keys the query uses are set: <paramref name="Workflow"/>,
/// <paramref name="Window"/>, <paramref name="Measure"/> and <paramref name="Branch"/> for workflow_runs;
/// <paramref name="MinSeverity"/> for the alert queries; <paramref name="Ref"/> for check_runs and commit_status
/// (null: the default branch); <paramref name="Label"/> for issues.
/// </summary>
internal sealed record GitHubSource(
    GitHubQuery Query,
    string? Workflow = null,
    TimeSpan? Window = null,
    RunMeasure Measure = RunMeasure.Failed,
    string? Branch = null,
    AlertSeverityLevel MinSeverity = AlertSeverityLevel.High,
    string? Ref = null,
    string? Label = null) : SignalSource
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);

    public override string Kind => "github";
}

/// <summary>
/// How long something must hold: a number of consecutive evaluations, or a duration since it began (the
/// <c>for</c> and <c>calm_for</c> keys).
/// </summary>
internal sealed record Persistence(int? Evaluations, TimeSpan? Duration)
{
    /// <summary>Counts at once (the default of <c>for</c>).</summary>
    public static Persistence Immediately { get; } = new(1, null);

    /// <summary>The default of <c>calm_for</c>: two consecutive evaluations.</summary>
    public static Persistence TwoEvaluations { get; } = new(2, null);

    /// <summary>Whether something that began at <paramref name="since"/> and has been seen <paramref name="seen"/> times in a row has held long enough.</summary>
    public bool IsMet(int seen, DateTimeOffset since, DateTimeOffset now) =>
        Duration is { } duration ? now - since >= duration : seen >= (Evaluations ?? 1);

    public override string ToString() =>
        Duration is { } duration ? Output.Durations.Format(duration)
        : Evaluations == 1 ? "1 evaluation" : $"{Evaluations} evaluations";
}

/// <summary>What an unknown signal (its provider failed or was refused) asks for: the <c>on_unknown</c> key.</summary>
internal enum UnknownPolicy
{
    /// <summary>The default: fail safe without starting hard responses.</summary>
    Yellow,

    Red,

    /// <summary>Counts for nothing (it is still shown).</summary>
    Ignore,
}

/// <summary>The <c>evaluation:</c> section: what unknown signals ask for, and how long a calmer level must hold before the level falls.</summary>
internal sealed record EvaluationSettings(UnknownPolicy OnUnknown, Persistence CalmFor)
{
    public static EvaluationSettings Default { get; } = new(UnknownPolicy.Yellow, Persistence.TwoEvaluations);
}
