using System.Security.Cryptography;
using PolicyAction.Configuration;
using PolicyAction.State;

namespace PolicyAction.Responses;

/// <summary>
/// Builds a response's undo record as it runs. Each reversible action's paths are copied into the record,
/// and the record is written to disk, before the action starts, so a crash mid-action can still be undone.
/// </summary>
internal sealed class UndoJournal
{
    private readonly StateStore _store;
    private readonly List<UndoAction> _actions = [];
    private readonly HashSet<string> _captured = new(StringComparer.Ordinal);
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
            try
            {
                full = _store.Paths.ResolveReversible(relative);
            }
            catch (PolicyActionException e)
            {
                return e.Message;
            }

            if (Directory.Exists(full))
            {
                return $"reversible path '{relative}' is a directory; list the files it changes instead";
            }

            if (!File.Exists(full))
            {
                files.Add(new UndoFile { Path = relative, Existed = false });
                continue;
            }

            var info = new FileInfo(full);
            if (info.Length > ResponseService.MaxUndoBytesPerFile)
            {
                return $"reversible path '{relative}' is {info.Length} bytes, more than the {ResponseService.MaxUndoBytesPerFile}-byte undo limit";
            }

            var bytes = File.ReadAllBytes(full);
            files.Add(new UndoFile
            {
                Path = relative,
                Existed = true,
                Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
                ContentBase64 = Convert.ToBase64String(bytes),
                Mode = OperatingSystem.IsWindows() ? null : "0" + Convert.ToString((int)File.GetUnixFileMode(full), 8),
            });
        }

        foreach (var file in files)
        {
            _captured.Add(file.Path);
        }

        _actions.Add(new UndoAction { Action = action.Id, UndoInstruction = undoInstruction, Files = files });
        Persist(UndoStatuses.Pending);
        return null;
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
        _record = _record with { Status = status, Actions = _actions.ToArray() };
        _store.WriteUndo(_record);
        Written = true;
    }
}
