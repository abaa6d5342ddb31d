using PolicyAction.State;

namespace PolicyAction.Responses;

/// <summary>The files a response writes beside the state: the preview, the blocked report and the undo records.</summary>
internal static class ResponseFiles
{
    public static void WritePreview(this StateStore store, ResponseReport report) => JsonStateFile.Write(store.Paths.Root, store.Paths.Preview, report, ResponseJsonContext.Default.ResponseReport);

    public static void WriteBlockedReport(this StateStore store, BlockedReport report) => JsonStateFile.Write(store.Paths.Root, store.Paths.BlockedReport, report, ResponseJsonContext.Default.BlockedReport);

    /// <summary>Undo records hold base64 copies of files (up to 16 MiB each), so they may be larger than other state.</summary>
    public const long MaxUndoRecordBytes = 256L * 1024 * 1024;

    public static UndoRecord? ReadUndo(this StateStore store, Guid responseId) => JsonStateFile.TryRead(store.Paths.Root, store.Paths.UndoRecord(responseId), ResponseJsonContext.Default.UndoRecord, MaxUndoRecordBytes);

    public static void WriteUndo(this StateStore store, UndoRecord record) => JsonStateFile.Write(store.Paths.Root, store.Paths.UndoRecord(record.ResponseId), record, ResponseJsonContext.Default.UndoRecord);
}
