namespace PolicyAction.State;

/// <summary>
/// The level history: the audit log's <c>level_changed</c> records, which the <c>red_flips</c> alert counts. Only
/// observed levels go in (an evaluation, or a response at the state file's level), and only when the level differs
/// from the last one recorded.
/// </summary>
internal static class LevelHistory
{
    /// <summary>Bounded: a level unchanged for longer than this is recorded again (harmless: no previous level, so no flip).</summary>
    public static readonly TimeSpan LookBack = TimeSpan.FromDays(31);

    public static AuditRecord? Last(AuditLog log, DateTimeOffset now) =>
        log.FindLast(r => r.Event == AuditEvents.LevelChanged, now - LookBack);

    /// <summary>Appends <c>level_changed</c> (the template's time, actor, run and mode) when <paramref name="level"/> differs from the last recorded.</summary>
    public static void Record(AuditLog log, string level, AuditRecord template)
    {
        var last = Last(log, template.Timestamp);
        if (last?.Policy == level)
        {
            return;
        }

        log.Append(template with
        {
            Event = AuditEvents.LevelChanged,
            Policy = level,
            PreviousPolicy = last?.Policy,
        });
    }
}
