using PolicyAction.State;

namespace PolicyAction.Benchmarks;

/// <summary>
/// Writes a valid, hash-chained audit log of any length, as years of daily runs would leave it: records every
/// few minutes up to now, the mix of records the tool writes. Used by the benchmarks and tests/perf/run.sh.
/// </summary>
public static class AuditLogGenerator
{
    public static readonly TimeSpan Spacing = TimeSpan.FromMinutes(5);

    /// <summary>Writes <paramref name="count"/> records ending at <paramref name="now"/>; returns the bytes written.</summary>
    /// <param name="path">The log's (first segment's) path.</param>
    /// <param name="sealAt">
    /// Null: one file, as earlier versions kept it. Else the size at which a segment is sealed: the log is written in
    /// segments as the tool would have written them record by record (<see cref="AuditSegments"/>).
    /// </param>
    public static long Write(string path, int count, DateTimeOffset now, long? sealAt = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var number = 1;
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        long total = 0;
        try
        {
            var head = ChainHead.Genesis;
            var response = Guid.Empty;
            for (var i = 0; i < count; i++)
            {
                if (sealAt is { } size && AuditSegments.IsSealed(file.Length, size))
                {
                    total += file.Length;
                    file.Dispose();
                    var next = AuditSegments.FilePath(path, ++number);
                    Directory.CreateDirectory(Path.GetDirectoryName(next)!);
                    file = new FileStream(next, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
                }

                var record = Record(i, now - (Spacing * (count - 1 - i)), ref response);
                var line = AuditLog.Line(AuditChain.Link(record, head));
                file.Write(line);
                head = new ChainHead(head.Seq + 1, AuditChain.Hash(line.AsSpan(0, line.Length - 1)));
            }

            return total + file.Length;
        }
        finally
        {
            file.Dispose();
        }
    }

    private static AuditRecord Record(int i, DateTimeOffset at, ref Guid response)
    {
        const string RunUrl = "https://github.com/octo-org/octo-repo/actions/runs/289782451/attempts/1";
        const string Digest = "sha256:9ffe38fc5e41783f6396896ea4aa52d702fb36754092f838443eb0cd7d639763";

        // As the tool writes them: a response applied now and then (its started, action and finished records, every
        // 400 records, so the gates stay open), the level changing often, and most runs blocked (a brake left on).
        switch (i % 400)
        {
            case 1:
                response = Guid.NewGuid();
                return new AuditRecord { Timestamp = at, Event = AuditEvents.ResponseStarted, Actor = "github-actions[bot]", ResponseId = response, Policy = "RED", Mode = "apply", PlanDigest = Digest, Trigger = $"workflow_run:{289782451 + i}:1", RunUrl = RunUrl, ActionsPlanned = 1 };
            case 2:
                return new AuditRecord { Timestamp = at, Event = AuditEvents.ActionFinished, Actor = "github-actions[bot]", ResponseId = response, Policy = "RED", Mode = "apply", Action = "restart-workers", Status = "succeeded", ExitCode = 0, DurationMs = 1840, RunUrl = RunUrl };
            case 3:
                return new AuditRecord { Timestamp = at, Event = AuditEvents.ResponseFinished, Actor = "github-actions[bot]", ResponseId = response, Policy = "RED", Mode = "apply", RunUrl = RunUrl, ActionsPlanned = 1 };
        }

        return i % 4 == 0
            ? new AuditRecord { Timestamp = at, Event = AuditEvents.LevelChanged, Actor = "github-actions[bot]", Policy = "RED", PreviousPolicy = "YELLOW", Mode = "dry-run", RunUrl = RunUrl }
            : new AuditRecord { Timestamp = at, Event = AuditEvents.ResponseBlocked, Actor = "github-actions[bot]", ResponseId = Guid.NewGuid(), Policy = "RED", Mode = "dry-run", PlanDigest = Digest, ActionsPlanned = 1, BlockedBy = ["safety_brake"], Reason = "the safety brake is engaged", RunUrl = RunUrl };
    }
}
