namespace PolicyAction.State;

/// <summary>
/// Reads a file's lines from the end backwards, a block at a time, so that the newest records of an
/// append-only log cost the same however long the log has grown.
/// </summary>
internal static class ReverseLineReader
{
    private const int BlockSize = 64 * 1024;

    /// <summary>Lines newest first, each with whether it ended with a newline (only the last line of a file can lack one).</summary>
    public static IEnumerable<(byte[] Line, bool Terminated)> Lines(FileStream stream)
    {
        var position = stream.Length;
        if (position == 0)
        {
            yield break;
        }

        var buffer = new byte[BlockSize];
        var pending = new List<byte[]>();   // pieces of the current line, newest piece first
        var first = true;
        var terminated = true;

        // The last byte tells whether the final line is complete.
        stream.Seek(position - 1, SeekOrigin.Begin);
        if (stream.ReadByte() == '\n')
        {
            position--;
        }
        else
        {
            terminated = false;
        }

        while (position > 0)
        {
            var count = (int)Math.Min(BlockSize, position);
            position -= count;
            stream.Seek(position, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, count);
            var end = count;
            int i;
            while ((i = buffer.AsSpan(0, end).LastIndexOf((byte)'\n')) >= 0)
            {
                pending.Add(buffer[(i + 1)..end]);
                yield return (Join(pending), first ? terminated : true);
                first = false;
                pending.Clear();
                end = i;
            }

            pending.Add(buffer[..end]);
        }

        // What is left is the file's first line (possibly empty).
        yield return (Join(pending), first ? terminated : true);
    }

    private static byte[] Join(List<byte[]> newestFirst)
    {
        if (newestFirst.Count == 1)
        {
            return newestFirst[0];
        }

        var length = newestFirst.Sum(p => p.Length);
        var line = new byte[length];
        var offset = 0;
        for (var i = newestFirst.Count - 1; i >= 0; i--)
        {
            newestFirst[i].CopyTo(line, offset);
            offset += newestFirst[i].Length;
        }

        return line;
    }
}
