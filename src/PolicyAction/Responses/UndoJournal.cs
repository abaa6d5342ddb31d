using System.Security.Cryptography;
using PolicyAction.Configuration;
using PolicyAction.State;

namespace PolicyAction.Responses;

/// <summary>
/// Builds a response's undo record as it runs. Each reversible action's paths are copied into the record,
/// and the record is written to disk, before the action starts, so a crash mid-action can still be undone. After each
/// action has run, what every captured path holds is hashed into the record, so undo can tell a later edit from the
/// response's own change; a path whose action is still running is marked unknown until then.
/// </summary>
internal sealed class UndoJournal
{
    private readonly StateStore _store;
    private readonly List<UndoAction> _actions = [];
    private readonly HashSet<string> _captured = new(StringComparer.Ordinal);

    /// <summary>What each captured path held after the last action that ran; null while unknown.</summary>
    private readonly Dictionary<string, PathHash?> _after = new(StringComparer.Ordinal);
    private UndoRecord _record;

    public UndoJournal(StateStore store, Guid responseId, string level, DateTimeOffset createdAt)
    {
        _store = store;
        _record = new UndoRecord
        {
            ResponseId = responseId,
            Policy = level,
            CreatedAt = createdAt,
            Status = UndoStatuses.Pending,
            Actions = [],
        };
    }

    public bool Written { get; private set; }

    /// <summary>Snapshots the action's paths and persists the record; returns why not, if the paths cannot be kept.</summary>
    public string? Capture(ActionDefinition action, string? undoInstruction)
    {
        var files = new List<UndoFile>();
        foreach (var relative in action.ReversiblePaths)
        {
            // A path an earlier action already changed keeps its original bytes: undo restores the state before the response.
            if (_captured.Contains(relative))
            {
                continue;
            }

            string full;
            EntryFacts facts;
            FileContent? content;
            try
            {
                full = _store.Paths.ResolveReversible(relative);

                // Looked at and read beneath the workspace through folder handles, never by name: a folder or the file
                // swapped for a link after the check above is refused, not followed, so no outside file (the tool's
                // /proc/self/environ) can end up in the record; a FIFO or a device is refused before it is opened.
                facts = BeneathWorkspace.Stat(_store.Paths.Root, full, relative);
                if (facts.Kind == EntryKind.Directory)
                {
                    return $"reversible path '{relative}' is a directory; list the files it changes instead";
                }

                if (facts.Size > ResponseService.MaxUndoBytesPerFile)
                {
                    return $"reversible path '{relative}' is {facts.Size} bytes, more than the {ResponseService.MaxUndoBytesPerFile}-byte undo limit";
                }

                content = facts.Kind == EntryKind.Missing ? null : BeneathWorkspace.Read(_store.Paths.Root, full, ResponseService.MaxUndoBytesPerFile, relative);
            }
            catch (StateFileException e)
            {
                return $"reversible path '{relative}' {e.Problem}";
            }
            catch (PolicyActionException e)
            {
                return e.Message;
            }
            catch (IOException e)
            {
                return $"reversible path '{relative}' cannot be read: {e.Message}";
            }

            if (content is null)
            {
                files.Add(new UndoFile { Path = relative, Existed = false });
                continue;
            }

            var bytes = content.Bytes;
            files.Add(new UndoFile
            {
                Path = relative,
                Existed = true,
                Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
                ContentBase64 = Convert.ToBase64String(bytes),
                Mode = OperatingSystem.IsWindows() ? null : "0" + Convert.ToString((int)content.Mode, 8),
            });
        }

        foreach (var file in files)
        {
            _captured.Add(file.Path);
        }

        // Unknown until the action has run: a response interrupted now leaves no after-hash to trust for its paths.
        foreach (var relative in action.ReversiblePaths)
        {
            _after[relative] = null;
        }

        _actions.Add(new UndoAction { Action = action.Id, UndoInstruction = undoInstruction, Files = files });
        Persist(UndoStatuses.Pending);
        return null;
    }

    /// <summary>
    /// After an action ran (whatever its outcome): records what every captured path holds now. A path that cannot be
    /// looked at stays unknown, which undo treats as changed.
    /// </summary>
    public void Settle()
    {
        if (!Written)
        {
            return;
        }

        foreach (var relative in _captured)
        {
            try
            {
                var hash = PathHash.Of(_store.Paths.Root, _store.Paths.ResolveReversible(relative), relative);
                _after[relative] = hash.Exists && hash.Sha256 is null ? null : hash;
            }
            catch (Exception e) when (e is PolicyActionException or IOException)
            {
                _after[relative] = null;
            }
        }

        Persist(UndoStatuses.Pending);
    }

    public void Complete()
    {
        if (Written)
        {
            Persist(UndoStatuses.Complete);
        }
    }

    private void Persist(string status)
    {
        _record = _record with { Status = status, Actions = _actions.Select(WithAfter).ToArray() };
        _store.WriteUndo(_record);
        Written = true;
    }

    private UndoAction WithAfter(UndoAction action) => action with
    {
        Files = action.Files.Select(f => _after.GetValueOrDefault(f.Path) is { } after
            ? f with { ExistedAfter = after.Exists, AfterSha256 = after.Sha256 }
            : f with { ExistedAfter = null, AfterSha256 = null }).ToArray(),
    };
}
