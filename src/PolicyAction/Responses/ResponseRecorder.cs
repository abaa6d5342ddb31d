using PolicyAction.Configuration;
using PolicyAction.Gates;
using PolicyAction.State;

namespace PolicyAction.Responses;

/// <summary>Writes what a response leaves behind: its audit records, the level history, the blocked report and preview.</summary>
internal sealed class ResponseRecorder(StateStore store, TimeProvider clock, RunContext context)
{
    public StateStore Store => store;

    public RespondResult Blocked(ResponseReport report, GateEvaluation gates, bool apply, string message)
    {
        var blocked = new BlockedReport
        {
            ResponseId = report.ResponseId,
            Policy = report.Policy,
            Mode = report.Mode,
            BlockedAt = gates.EvaluatedAt,
            BlockedBy = report.BlockedBy,
            Gates = gates.Gates,
            Message = message,
            AuditMarker = BlockedReport.Marker(gates.EvaluatedAt),
        };
        store.WriteBlockedReport(blocked);
        if (!apply)
        {
            store.WritePreview(report);
        }

        store.AuditLog.Append(Record(AuditEvents.ResponseBlocked, report.ResponseId, report.Policy, report.Mode.ToWire()) with
        {
            Timestamp = gates.EvaluatedAt,
            PlanDigest = report.PlanDigest,
            ActionsPlanned = report.ActionsPlanned,
            BlockedBy = report.BlockedBy,
            Reason = message,
        });
        return new RespondResult(ResponseOutcome.Blocked, report, gates);
    }

    public void LogAction(Guid responseId, string level, string action, ActionStatus status, int? exitCode, long? durationMs, string? detail) =>
        store.AuditLog.Append(Record(AuditEvents.ActionFinished, responseId, level) with
        {
            Action = action,
            Status = status.ToWire(),
            ExitCode = exitCode,
            DurationMs = durationMs,
            Detail = detail,
        });

    /// <summary>
    /// What a what-if level (--policy on the command line) leaves unrecorded, when it differs from the level history's
    /// last level or, with none recorded yet, from the state file's level (the one the next normal run records); null
    /// when it is that level (there would be nothing to record anyway).
    /// </summary>
    public string? WhatIf(string level)
    {
        const string NotRecorded = "no level change recorded";
        if (LevelHistory.Last(store.AuditLog, clock.GetUtcNow())?.Policy is { } last)
        {
            return last == level ? null : $"--policy {level} differs from the recorded level {last}; {NotRecorded}";
        }

        var stateFile = store.Paths.Relative(store.Paths.PolicyState);
        PolicyStateFile? state;
        try
        {
            state = store.ReadPolicyState();
        }
        catch (StateFileException)
        {
            // The what-if does not need the file; the next run that reads it fails naming it.
            return $"--policy {level}: no level recorded yet, and {stateFile} cannot be read; {NotRecorded}";
        }

        return state switch
        {
            null => $"--policy {level}: no level recorded yet, and no {stateFile}; {NotRecorded}",
            _ when PolicyLevels.TryParse(state.Level, out var observed) && observed.ToName() == level => null,
            _ => $"--policy {level} differs from the state file's level {state.Level} ({stateFile}; no level recorded yet); {NotRecorded}",
        };
    }

    /// <summary>Appends to the level history (the audit log's level_changed records) when the level differs from the last one.</summary>
    public void RecordLevel(string level, string mode) =>
        LevelHistory.Record(store.AuditLog, level, new AuditRecord
        {
            Timestamp = clock.GetUtcNow(),
            Event = AuditEvents.LevelChanged,
            Actor = context.Actor,
            ClaimedActor = context.ClaimedActor,
            Mode = mode,
            RunUrl = context.RunUrl,
        });

    /// <summary>The fields every record of one response carries.</summary>
    public AuditRecord Record(string eventName, Guid responseId, string level, string mode = ResponseModes.Apply) => new()
    {
        Timestamp = clock.GetUtcNow(),
        Event = eventName,
        Actor = context.Actor,
        ClaimedActor = context.ClaimedActor,
        ResponseId = responseId,
        Policy = level,
        Mode = mode,
        RunUrl = context.RunUrl,
    };
}
