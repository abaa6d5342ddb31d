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

    /// <returns>What changed: with --apply, the undo record and the audit log (the restored files are the workspace's, listed in the message).</returns>
    /// <param name="reason">Why, when the caller was given one (the action's reason input); recorded with the undo.</param>
    public StateChange Run(Guid responseId, bool apply, string? reason = null)
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

        // Decode and check everything before touching any file: an edited or corrupt record changes nothing.
        var restores = new List<(UndoFile File, string FullPath, byte[]? Content, UnixFileMode? Mode)>();
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

                restores.Add((file, full, content, mode));
            }
        }

        var verb = apply ? "restoring" : "would restore";
        _reporter.Line($"undo of response {responseId:D} ({record.Policy}, {record.Status}) — {(apply ? "applying" : "preview; add --apply to restore")}");
        if (record.Status == UndoStatuses.Pending)
        {
            _reporter.Warning($"response {responseId:D} did not finish (its undo record is still pending); restoring what was captured before each action");
        }

        foreach (var (file, full, content, _) in restores)
        {
            var current = Current(full, file.Path);
            var unchanged = file.Existed ? current == file.Sha256 : current is null;
            var what = file.Existed ? $"{verb} {file.Path} ({content!.Length} bytes, sha256 {file.Sha256![..12]}…)" : $"{(apply ? "removing" : "would remove")} {file.Path} (it did not exist before)";
            _reporter.Line($"  {what}{(unchanged ? " — already as recorded" : string.Empty)}");
        }

        if (!apply)
        {
            return StateChange.Unchanged($"undo of response {responseId:D} previewed; nothing restored");
        }

        // Written and removed through the folders' handles (renameat, unlinkat), never by name: a folder on the way
        // swapped for a link after the checks above is refused, so nothing is written outside the workspace. A link
        // or a FIFO at the name itself is replaced or removed, never followed.
        foreach (var (file, full, content, mode) in restores)
        {
            if (content is not null)
            {
                AtomicFile.WriteAllBytes(_store.Paths.Root, full, content, mode);
            }
            else if (BeneathWorkspace.Stat(_store.Paths.Root, full, file.Path).Kind != EntryKind.Directory)
            {
                BeneathWorkspace.Delete(_store.Paths.Root, full, file.Path);
            }
        }

        var now = _clock.GetUtcNow();
        _store.WriteUndo(record with { Status = UndoStatuses.Undone, UndoneAt = now, UndoneBy = _context.Actor });
        _store.AuditLog.Append(new AuditRecord
        {
            Timestamp = now,
            Event = AuditEvents.UndoApplied,
            Actor = _context.Actor,
            ClaimedActor = _context.ClaimedActor,
            ResponseId = responseId,
            Policy = record.Policy,
            Detail = $"restored {restores.Count} path(s)",
            Reason = reason,
            RunUrl = _context.RunUrl,
        });
        _reporter.Line($"undone: {restores.Count} path(s) restored; logged to {_store.Paths.Relative(_store.AuditLog.Path)}");
        var restored = string.Join(", ", restores.Select(r => r.File.Path).Distinct(StringComparer.Ordinal));
        return new StateChange(
            true,
            $"response {responseId:D} undone: {restores.Count} path(s) restored ({restored})",
            [_store.Paths.Relative(path), _store.Paths.Relative(_store.AuditLog.Newest().Path)]);
    }

    /// <summary>
    /// The sha256 of the file at the path now, read beneath the workspace; null when missing; for anything that is
    /// not a regular file the recorded content could be (a link, a FIFO, a larger file), a text no hash equals.
    /// </summary>
    private string? Current(string full, string name)
    {
        var facts = BeneathWorkspace.Stat(_store.Paths.Root, full, name);
        return facts.Kind switch
        {
            EntryKind.Missing => null,
            EntryKind.Regular when facts.Size <= ResponseService.MaxUndoBytesPerFile
                && BeneathWorkspace.Read(_store.Paths.Root, full, ResponseService.MaxUndoBytesPerFile, name) is { } now
                => Convert.ToHexStringLower(SHA256.HashData(now.Bytes)),
            _ => $"not a file as recorded ({facts.Kind})",
        };
    }

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
