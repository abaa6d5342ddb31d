using PolicyAction.State;

namespace PolicyAction.Configuration;

/// <summary>Reads the configuration file as text, failing closed on a missing, oversized, unreadable or non-UTF-8 file.</summary>
internal static class ConfigFile
{
    private const long MaxConfigBytes = 1024 * 1024;

    /// <summary>The file's text: it exists, is at most 1 MiB and is valid UTF-8 (a BOM is dropped).</summary>
    public static string Read(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new ConfigurationException(
                // Paths in this tool's own repository (docs/, examples/) mean nothing in the user's: say what to run.
                $"no configuration file at {path}. Run 'policy-response init' in the repository to create it "
                + "(with example actions and signals, and a link to where every key is described), or pass --config PATH.");
        }

        if (file.Length > MaxConfigBytes)
        {
            throw new ConfigurationException([new ConfigProblem(path, null, null, string.Empty, $"file is {file.Length} bytes; the limit is {MaxConfigBytes}")]);
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException([new ConfigProblem(path, null, null, string.Empty, $"cannot be read: {e.Message}")]);
        }

        var content = bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes.AsSpan(3) : bytes.AsSpan();
        if (StrictUtf8.FirstInvalidByte(content) is { } bad)
        {
            var line = content[..bad].Count((byte)'\n') + 1;
            var column = bad - (content[..bad].LastIndexOf((byte)'\n') + 1) + 1;
            throw new ConfigurationException([new ConfigProblem(path, line, column, string.Empty, $"is not valid UTF-8 text (byte 0x{content[bad]:X2}); save the file as UTF-8")]);
        }

        return StrictUtf8.Encoding.GetString(content);
    }
}
