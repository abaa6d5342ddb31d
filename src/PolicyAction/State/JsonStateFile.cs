using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PolicyAction.State;

/// <summary>
/// Reads and writes one JSON state file. A missing file means the default; a file that exists
/// but cannot be read or parsed fails closed with a message naming the file, and is never touched.
/// </summary>
internal static class JsonStateFile
{
    public const long MaxStateFileBytes = 16 * 1024 * 1024;

    /// <param name="root">The workspace: the file is opened beneath it, through no link (<see cref="BeneathWorkspace"/>).</param>
    public static T Read<T>(string root, string path, JsonTypeInfo<T> typeInfo, T whenMissing)
        where T : class
        => TryRead(root, path, typeInfo) ?? whenMissing;

    public static T? TryRead<T>(string root, string path, JsonTypeInfo<T> typeInfo, long maxBytes = MaxStateFileBytes)
        where T : class
    {
        byte[] bytes;
        try
        {
            if (BeneathWorkspace.Stat(root, path, path).Kind == EntryKind.Directory)
            {
                throw new StateFileException(path, "is a directory, expected a JSON file");
            }

            // Bounded by the size of the open file, so a state file cannot make the tool read without end.
            var content = BeneathWorkspace.Read(root, path, maxBytes, path);
            if (content is null)
            {
                return null;
            }

            bytes = content.Bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException(path, $"cannot be read: {e.Message}", e);
        }

        return Parse(bytes, path, typeInfo);
    }

    public static T Parse<T>(ReadOnlySpan<byte> bytes, string path, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (bytes.IsEmpty || bytes.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new StateFileException(path, "is empty; expected a JSON object (delete the file to return to the default)");
        }

        if (StrictUtf8.FirstInvalidByte(bytes) is { } invalid)
        {
            var (line, column) = JsonProblem.Position(bytes, invalid);
            throw new StateFileException(path, $"is not valid UTF-8 text (line {line}, column {column}: byte 0x{bytes[invalid]:X2}); restore it from git");
        }

        try
        {
            var value = JsonSerializer.Deserialize(bytes, typeInfo);
            return value ?? throw new StateFileException(path, "contains null; expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new StateFileException(path, $"is not valid: {JsonProblem.Explain(bytes, e, typeInfo)}. Fix it there, or restore the file from git; nothing was changed", e);
        }
    }

    /// <summary>Replaces the file atomically; a file that cannot be written (a folder in its place, no permission) is exit 2, naming it.</summary>
    public static void Write<T>(string root, string path, T value, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            AtomicFile.WriteAllBytes(root, path, Serialize(value, typeInfo));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException(path, $"cannot be written ({e.Message}); it was left as it was");
        }
    }

    /// <summary>The file's bytes as <see cref="Write"/> writes them: the JSON (<see cref="ReadableJson"/>) and a final newline.</summary>
    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var bytes = ReadableJson.Utf8(value, typeInfo);
        var withNewline = new byte[bytes.Length + 1];
        bytes.CopyTo(withNewline, 0);
        withNewline[^1] = (byte)'\n';
        return withNewline;
    }
}
