using System.Security.Cryptography;
using PolicyAction.Output;
using PolicyAction.State;

namespace PolicyAction.Responses;

/// <summary><c>policy-response undo</c>: previews, or with --apply performs, the restoration of a response's files.</summary>
internal sealed class UndoService
{
    private readonly StateStore _store;
    private readonly TimeProvider _clock;
    private readonly Reporter _reporter;
    private readonly RunContext _context;

    public UndoService(StateStore store, TimeProvider clock, Reporter reporter, RunContext context)
    {
        _store = store;
        _clock = clock;
        _reporter = reporter;
        _context = context;
    }

    /// <param name="force">Restore also the paths changed since the response (or whose change is unknown); recorded in the audit log.</param>
    /// <param name="reason">Why, when the caller was given one (the action's reason input); recorded with the undo.</param>
    /// <returns>What changed: with --apply, the undo record and the audit log (the restored files are the workspace's, listed in the message).</returns>
    /// <param name="restoresAreLost">
    /// The workspace is a job's checkout that is thrown away (the control workflow): a restore there reaches nothing, so
    /// undo only records a response whose paths all hold their original already and refuses otherwise.
    /// </param>
    public StateChange Run(Guid responseId, bool apply, bool force = false, string? reason = null, bool restoresAreLost = false)
    {
        var path = _store.Paths.UndoRecord(responseId);
        var record = _store.ReadUndo(responseId)
            ?? throw new UsageException($"no undo record for response {responseId:D} ({_store.Paths.Relative(path)} does not exist); undo records exist only for applied responses that ran reversible actions");

        if (record.ResponseId != responseId)
        {
            throw new StateFileException(path, $"records response {record.ResponseId:D}, not {responseId:D}");
        }

        if (record.Status == UndoStatuses.Undone)
        {
            var done = $"response {responseId:D} was already undone at {Times.Format(record.UndoneAt)} by {record.UndoneBy ?? "unknown"}; nothing to do";
            _reporter.Line(done);
            return StateChange.Unchanged(done);
        }

        // Decode and check everything, and look at every path, before touching any file: an edited or corrupt record,
        // or a path edited since the response, changes nothing.
        var restores = new List<Restore>();
        foreach (var action in record.Actions.Reverse())
        {
            foreach (var file in action.Files)
            {
                string full;
                try
                {
                    full = _store.Paths.ResolveReversible(file.Path);
                }
                catch (PolicyActionException e)
                {
                    throw new StateFileException(path, $"action {action.Action}: {e.Message}");
                }

                byte[]? content = null;
                UnixFileMode? mode = null;
                if (file.Existed)
                {
                    content = Decode(file, path);
                    mode = ParseMode(file.Mode, path);
                }

                var now = PathHash.Of(_store.Paths.Root, full, file.Path);
                restores.Add(new Restore(file, full, content, mode, now, Classify(file, now)));
            }
        }

        _reporter.Line($"undo of response {responseId:D} ({record.Policy}, {record.Status}) — {(apply ? "applying" : "preview; add --apply to restore")}");
        if (record.Status == UndoStatuses.Pending)
        {
            _reporter.Warning($"response {responseId:D} did not finish (its undo record is still pending); restoring what was captured before each action");
        }

        foreach (var restore in restores)
        {
            _reporter.Line($"  {restore.File.Path}: {Describe(restore, apply, force)}");
        }

        var changed = restores.Where(r => r.State is PathState.ChangedSince or PathState.Unknown).ToArray();
        var rewrites = restores.Where(r => r.State != PathState.Original).ToArray();
        if (apply && restoresAreLost && rewrites.Length > 0)
        {
            throw new UsageException(
                $"undo of response {responseId:D} refused here, nothing was restored: {rewrites.Length} path(s) on the branch do not hold their original:"
                + string.Concat(rewrites.Select(r => $"{Environment.NewLine}  {r.File.Path}: {Describe(r, apply: false, force: false)}"))
                + $"{Environment.NewLine}Restoring them in this job's checkout would be lost with the job: the tool commits its own state, never the files actions change."
                + $" Undo in a clone (policy-response undo {responseId:D} --apply), then commit and push the restored files");
        }

        if (!apply)
        {
            if (changed.Length > 0)
            {
                _reporter.Line($"{changed.Length} path(s) changed since the response, or cannot tell: --apply refuses them unless --force");
            }

            return StateChange.Unchanged($"undo of response {responseId:D} previewed; nothing restored");
        }

        if (changed.Length > 0 && !force)
        {
            throw new UsageException(
                $"undo of response {responseId:D} refused, nothing was restored: {changed.Length} path(s) changed since the response ran, or it cannot tell:"
                + string.Concat(changed.Select(r => $"{Environment.NewLine}  {r.File.Path}: {Conflict(r)}"))
                + $"{Environment.NewLine}Look at each path (policy-response undo {responseId:D} shows them all). To keep the edits, do not undo"
                + " (a response that was interrupted can be accepted with 'policy-response acknowledge'); to put the originals back over them,"
                + $" run policy-response undo {responseId:D} --apply --force");
        }

        foreach (var restore in changed)
        {
            _reporter.Warning($"--force: restoring {restore.File.Path} over what it holds now ({Conflict(restore)})");
        }

        // Written and removed through the folders' handles (renameat, unlinkat), never by name: a folder on the way
        // swapped for a link after the checks above is refused, so nothing is written outside the workspace. A link
        // or a FIFO at the name itself is replaced or removed, never followed. A path holding the original is left alone.
        foreach (var restore in rewrites)
        {
            if (restore.Content is not null)
            {
                AtomicFile.WriteAllBytes(_store.Paths.Root, restore.FullPath, restore.Content, restore.Mode);
            }
            else if (BeneathWorkspace.Stat(_store.Paths.Root, restore.FullPath, restore.File.Path).Kind != EntryKind.Directory)
            {
                BeneathWorkspace.Delete(_store.Paths.Root, restore.FullPath, restore.File.Path);
            }
        }

        var leftAlone = restores.Count - rewrites.Length;
        var detail = $"restored {rewrites.Length} path(s)"
            + (leftAlone > 0 ? $"; {leftAlone} already held the original, left alone" : string.Empty)
            + (changed.Length > 0 ? $"; --force: restored over changes made since the response to {string.Join(", ", changed.Select(r => r.File.Path))}" : string.Empty);
        var at = _clock.GetUtcNow();
        _store.WriteUndo(record with { Status = UndoStatuses.Undone, UndoneAt = at, UndoneBy = _context.Actor });
        _store.AuditLog.Append(new AuditRecord
        {
            Timestamp = at,
            Event = AuditEvents.UndoApplied,
            Actor = _context.Actor,
            ClaimedActor = _context.ClaimedActor,
            ResponseId = responseId,
            Policy = record.Policy,
            Detail = detail,
            Reason = reason,
            RunUrl = _context.RunUrl,
        });
        _reporter.Line($"undone: {detail}; logged to {_store.Paths.Relative(_store.AuditLog.Path)}");
        var restoredPaths = string.Join(", ", rewrites.Select(r => r.File.Path).Distinct(StringComparer.Ordinal));
        return StateChange.Recorded(_store, $"response {responseId:D} undone: {detail}" + (restoredPaths.Length > 0 ? $" ({restoredPaths})" : string.Empty), path);
    }

    private static PathState Classify(UndoFile file, PathHash now)
    {
        if (now.Matches(file.Existed, file.Sha256))
        {
            return PathState.Original;
        }

        // Without what the response left (an older record, an action interrupted, a path it could not hash), an edit
        // since cannot be told from the action's own change: treated as changed, so only --force overwrites it.
        if (file.ExistedAfter is not { } existedAfter || (existedAfter && file.AfterSha256 is null))
        {
            return PathState.Unknown;
        }

        return now.Matches(existedAfter, file.AfterSha256) ? PathState.AsLeft : PathState.ChangedSince;
    }

    /// <summary>What happens to one path: in a preview what would, in an apply what is being done (or refused without --force).</summary>
    private static string Describe(Restore restore, bool apply, bool force)
    {
        var file = restore.File;
        var (would, doing) = file.Existed
            ? ($"would restore {restore.Content!.Length} bytes (sha256 {file.Sha256![..12]}…)", $"restoring {restore.Content!.Length} bytes (sha256 {file.Sha256![..12]}…)")
            : ("would remove it (it did not exist before)", "removing it (it did not exist before)");
        return restore.State switch
        {
            PathState.Original => "already holds the original; left alone",
            PathState.AsLeft => $"holds what the response left; {(apply ? doing : would)}",
            PathState.ChangedSince => $"CHANGED since the response ({Conflict(restore)}); {Changed()}",
            _ => $"UNKNOWN whether it changed since the response ({Conflict(restore)}); {Changed()}",
        };

        string Changed() => apply && force ? $"--force: {doing}" : $"{would} only with --force";
    }

    private static string Conflict(Restore restore) => restore.State == PathState.Unknown
        ? $"the record has no hash of what the response left (written by an older version, or the response was interrupted while its action ran); it holds {restore.Now} now"
        : $"the response left {PathHash.Describe(restore.File.ExistedAfter!.Value, restore.File.AfterSha256)}, it holds {restore.Now} now";

    /// <summary>What a path holds now, compared with the record.</summary>
    private enum PathState
    {
        /// <summary>What the response left: restored.</summary>
        AsLeft,

        /// <summary>The bytes from before the response (or, for a path that did not exist, nothing): left alone.</summary>
        Original,

        /// <summary>Neither: edited since. Restored only with --force.</summary>
        ChangedSince,

        /// <summary>The record does not say what the response left. Restored only with --force.</summary>
        Unknown,
    }

    private sealed record Restore(UndoFile File, string FullPath, byte[]? Content, UnixFileMode? Mode, PathHash Now, PathState State);

    private static byte[] Decode(UndoFile file, string recordPath)
    {
        if (file.ContentBase64 is null || file.Sha256 is null)
        {
            throw new StateFileException(recordPath, $"entry for {file.Path} has no content or checksum");
        }

        byte[] content;
        try
        {
            content = Convert.FromBase64String(file.ContentBase64);
        }
        catch (FormatException)
        {
            throw new StateFileException(recordPath, $"content of {file.Path} is not valid base64");
        }

        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(content)), file.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new StateFileException(recordPath, $"content of {file.Path} does not match its sha256; the record was altered or damaged, nothing was restored");
        }

        return content;
    }

    private static UnixFileMode? ParseMode(string? text, string recordPath)
    {
        if (text is null || OperatingSystem.IsWindows())
        {
            return null;
        }

        try
        {
            var mode = Convert.ToInt32(text, 8);
            // Only permission bits: no setuid, setgid or sticky from a record.
            return (UnixFileMode)(mode & 0x1FF);
        }
        catch (FormatException)
        {
            throw new StateFileException(recordPath, $"mode '{text}' is not an octal number");
        }
    }
}
