namespace PolicyAction.State;

/// <summary>
/// Reads a stream's lines front to back through one reusable buffer, without a copy per line: each line is a
/// view into the buffer, valid until the next call. Finding the newline is vectorized (<c>IndexOf</c>), so a
/// whole-file pass such as <c>verify-log</c> runs at the speed of the disk and the hashing, in constant memory.
/// </summary>
internal sealed class ForwardLineReader
{
    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _endOfStream;

    public ForwardLineReader(Stream stream, int bufferSize = 1 << 20)
    {
        _stream = stream;
        _buffer = new byte[bufferSize];
    }

    /// <summary>Bytes handed out as lines so far (with their newlines): progress through the stream.</summary>
    public long Consumed { get; private set; }

    /// <summary>The next line without its newline, and whether it had one (only a stream's last line may not).</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line, out bool terminated)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var newline = pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = pending[..newline];
                terminated = true;
                _start += newline + 1;
                Consumed += newline + 1;
                return true;
            }

            if (_endOfStream)
            {
                line = pending;
                terminated = false;
                _start = _end;
                Consumed += line.Length;
                return !line.IsEmpty;
            }

            Refill();
        }
    }

    /// <summary>The buffer that <see cref="TryReadBlock"/>'s lines point into.</summary>
    public byte[] Buffer => _buffer;

    /// <summary>
    /// Every complete line now buffered (refilling first when there is none), as places in <see cref="Buffer"/>
    /// valid until the next call: a block of lines to work on together. False once the stream is done.
    /// </summary>
    public bool TryReadBlock(List<LinePlace> lines)
    {
        lines.Clear();
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var lastNewline = pending.LastIndexOf((byte)'\n');
            if (lastNewline >= 0)
            {
                var position = _start;
                var stop = _start + lastNewline + 1;
                while (position < stop)
                {
                    var length = _buffer.AsSpan(position, stop - position).IndexOf((byte)'\n');
                    lines.Add(new LinePlace(position, length, true));
                    position += length + 1;
                }

                Consumed += stop - _start;
                _start = stop;
                return true;
            }

            if (_endOfStream)
            {
                if (pending.IsEmpty)
                {
                    return false;
                }

                lines.Add(new LinePlace(_start, pending.Length, false));
                Consumed += pending.Length;
                _start = _end;
                return true;
            }

            Refill();
        }
    }

    private void Refill()
    {
        // Keep the partial line: move it to the front, and grow the buffer only for a line longer than it.
        var pending = _end - _start;
        if (pending == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        else if (_start > 0)
        {
            System.Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
        }

        _start = 0;
        _end = pending;
        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _endOfStream = true;
        }

        _end += read;
    }
}

/// <summary>Where a line sits in <see cref="ForwardLineReader.Buffer"/>, and whether it ended with a newline.</summary>
internal readonly record struct LinePlace(int Start, int Length, bool Terminated);
