using PolicyAction.RunnerProtocol;
using PolicyAction.State;

namespace PolicyAction.Gates;

/// <summary>Whether the event that started this run may apply, and the key that marks it as applied.</summary>
internal sealed record TriggerVerdict(bool ApplyAllowed, string Trigger, string Reason);

/// <summary>
/// The trigger gate: apply only from a trusted trigger. A <c>workflow_run</c>
/// must have concluded <c>success</c> on this repository's own code (not a fork), both named, and name the run it
/// is by a readable id and attempt; only <c>workflow_run</c>, <c>workflow_dispatch</c> and <c>schedule</c> may apply
/// at all; and one trigger applies at most once.
/// </summary>
internal sealed class TriggerGate : IGate
{
    public string Name => GateNames.Trigger;

    /// <summary>Its 31 days come as <see cref="GateInputs.TriggerRecords"/>, looked up by the trigger's key: nothing more is read for it.</summary>
    public TimeSpan LookBack(GateRequest request) => TimeSpan.Zero;

    public bool RecheckedOnSharedLog => true;

    /// <summary>Only when the tool runs as the action; a dry run passes, told what an apply would meet.</summary>
    public GateResult? Evaluate(GateCheck check)
    {
        if (check.Request.Runner is not { } runner)
        {
            return null;
        }

        var log = check.Inputs.Log.Concat(check.Inputs.TriggerRecords).Where(r => r.Timestamp > check.Inputs.Now - RerunWindow).ToArray();
        var verdict = Verdict(runner, log);
        if (verdict.ApplyAllowed && !check.Request.RecordsReachBranch && runner.RunAttempt != "1")
        {
            // Without the branch commit, an earlier attempt's records stayed in its own checkout: a re-run's checkout
            // cannot show that it applied, so only a first attempt may.
            verdict = verdict with
            {
                ApplyAllowed = false,
                Reason = $"this is attempt {runner.RunAttempt ?? "(unknown)"} of run {runner.RunId ?? "(unknown)"} and commit-artifacts is false: an earlier attempt's records are not on the branch, so a re-run cannot tell whether it already applied; with commit-artifacts false only a first attempt applies",
            };
        }

        var passed = verdict.ApplyAllowed || !check.Request.Apply;
        var detail = verdict.ApplyAllowed || check.Request.Apply ? verdict.Reason : $"{verdict.Reason} (checked for an apply; a dry run may run)";
        return new GateResult(Name, passed, verdict.Trigger, "trusted event, once", detail);
    }

    /// <summary>The key that marks a response as applied by this trigger, recorded in its <c>response_started</c>.</summary>
    public static string KeyOf(ActionContext context) => Verdict(context, []).Trigger;

    public static readonly IReadOnlyList<string> TrustedEvents = ["workflow_run", "workflow_dispatch", "schedule"];

    /// <summary>GitHub allows re-running a workflow run for 30 days; a trigger is remembered a little longer.</summary>
    public static readonly TimeSpan RerunWindow = TimeSpan.FromDays(31);

    /// <summary>
    /// The re-run check's records: the <c>response_started</c> records of the last 31 days that name this run's
    /// trigger, and for a <c>workflow_run</c> only those since the triggering attempt started (no response to it can
    /// be older; the readers' six hours of ordering slack cover the two clocks). Found by a byte search for the key as
    /// the log holds it; a key the serializer might escape (not one a trusted event makes) is looked for by reading
    /// every record instead.
    /// </summary>
    public static IReadOnlyList<AuditRecord> RecordsOf(ActionContext context, AuditLog log, DateTimeOffset now, int? belowSegment = null)
    {
        var key = KeyOf(context);
        var since = now - RerunWindow;
        if (context.EventName == "workflow_run" && context.WorkflowRun?.StartedAt is { } started && started > since)
        {
            since = started;
        }

        bool Started(AuditRecord r) => r.Event == AuditEvents.ResponseStarted && string.Equals(r.Trigger, key, StringComparison.Ordinal);
        return key.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '_' or '-' or '.')
            ? log.FindHolding($"\"trigger\":\"{key}\"", since, Started, belowSegment)
            : log.ReadSince(since, GateInputs.Needs, belowSegment).Records.Where(Started).ToArray();
    }

    public static TriggerVerdict Verdict(ActionContext context, IReadOnlyList<AuditRecord> log)
    {
        var eventName = context.EventName ?? "(none)";
        var trigger = context.WorkflowRun is { } run && eventName == "workflow_run"
            ? $"workflow_run:{Part(run.Id)}:{Part(run.RunAttempt)}"
            : $"{eventName}:{context.RunId ?? "local"}";

        if (!TrustedEvents.Contains(eventName, StringComparer.Ordinal))
        {
            return new TriggerVerdict(false, trigger, $"the '{eventName}' event may not apply; only workflow_run, workflow_dispatch and schedule can");
        }

        // Without it nothing says whose code ran, and two unknowns must never compare equal.
        if (string.IsNullOrWhiteSpace(context.Repository))
        {
            return new TriggerVerdict(false, trigger, "GITHUB_REPOSITORY is not set; without this repository's name no trigger can be told to be its own");
        }

        if (eventName == "workflow_run")
        {
            if (context.WorkflowRun is not { } workflowRun)
            {
                return new TriggerVerdict(false, trigger, "the workflow_run payload is missing; cannot tell how the triggering run ended");
            }

            // The re-run check keys on these: a guessed 0 or 1 would key on another run, or let a re-run apply again.
            if (workflowRun.Id is null || workflowRun.RunAttempt is null)
            {
                return new TriggerVerdict(
                    false,
                    trigger,
                    $"the workflow_run payload's {(workflowRun.Id is null ? "id" : "run_attempt")} is not a whole number above 0; without the triggering run's identity the re-run check cannot tell whether it already applied");
            }

            if (!string.Equals(workflowRun.Conclusion, "success", StringComparison.Ordinal))
            {
                return new TriggerVerdict(false, trigger, $"the triggering run concluded '{workflowRun.Conclusion ?? "unknown"}', not 'success'");
            }

            if (string.IsNullOrWhiteSpace(workflowRun.HeadRepository))
            {
                return new TriggerVerdict(false, trigger, "the workflow_run payload names no head repository (head_repository.full_name); cannot tell whether the triggering run's code came from this repository");
            }

            if (!string.Equals(workflowRun.HeadRepository, context.Repository, StringComparison.OrdinalIgnoreCase))
            {
                return new TriggerVerdict(false, trigger, $"the triggering run's code came from {workflowRun.HeadRepository}, not {context.Repository} (a fork)");
            }
        }

        if (log.Any(r => r.Event == AuditEvents.ResponseStarted && string.Equals(r.Trigger, trigger, StringComparison.Ordinal)))
        {
            return new TriggerVerdict(false, trigger, $"{trigger} has already applied a response; a re-run never applies twice");
        }

        return new TriggerVerdict(true, trigger, $"{trigger} may apply");

        static string Part(long? number) => number?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown";
    }
}
