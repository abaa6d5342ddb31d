using System.Text;

namespace PolicyAction.State;

/// <summary>UTF-8 that throws on invalid bytes instead of inventing replacement characters.</summary>
internal static class StrictUtf8
{
    public static UTF8Encoding Encoding { get; } = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string ReadAllText(string path) => File.ReadAllText(path, Encoding);
}
