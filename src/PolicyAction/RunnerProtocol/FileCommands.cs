using System.Text;

namespace PolicyAction.RunnerProtocol;

/// <summary>
/// The runner's file commands: <c>GITHUB_OUTPUT</c> (and <c>GITHUB_ENV</c>, <c>GITHUB_STATE</c>) take
/// <c>name&lt;&lt;delimiter</c>, the value, and the delimiter, each on its own line, UTF-8 without a BOM.
/// </summary>
internal static class FileCommands
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static void AppendKeyValue(string filePath, string name, string value, string? delimiter = null)
    {
        delimiter ??= $"ghadelimiter_{Guid.NewGuid()}";
        if (string.IsNullOrWhiteSpace(name) || name.Contains('\n', StringComparison.Ordinal) || name.Contains('\r', StringComparison.Ordinal)
            || name.Contains("<<", StringComparison.Ordinal) || name.Contains('=', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a valid output name", nameof(name));
        }

        if (value.Contains(delimiter, StringComparison.Ordinal) || name.Contains(delimiter, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the value of '{name}' contains the delimiter {delimiter}; refusing to write it");
        }

        var text = $"{name}<<{delimiter}\n{value}\n{delimiter}\n";
        using var stream = new FileStream(filePath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        var bytes = Utf8NoBom.GetBytes(text);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    public static void Append(string filePath, string text)
    {
        using var stream = new FileStream(filePath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        stream.Write(Utf8NoBom.GetBytes(text));
        stream.Flush(flushToDisk: true);
    }
}
