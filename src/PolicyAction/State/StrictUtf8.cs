using System.Text;

namespace PolicyAction.State;

/// <summary>UTF-8 that throws on invalid bytes instead of inventing replacement characters.</summary>
internal static class StrictUtf8
{
    public static UTF8Encoding Encoding { get; } = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The offset of the first byte that is not part of valid UTF-8, or null when all of it is.</summary>
    public static int? FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return null;
    }
}
