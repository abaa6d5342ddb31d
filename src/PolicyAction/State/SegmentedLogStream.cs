namespace PolicyAction.State;

/// <summary>
/// The audit log's segments read as one stream, oldest first, for a pass over the whole chain: a segment that does not
/// end in a newline (a torn last line) is ended with one before the next, so its last line never runs into the next
/// segment's first.
/// It remembers where each segment's lines start, so a line of the whole can be named by its segment and its line there.
/// </summary>
internal sealed class SegmentedLogStream : Stream
{
    private readonly IReadOnlyList<AuditSegment> _segments;
    private readonly Func<AuditSegment, string> _name;
    private readonly string _root;
    private readonly List<(long FirstLine, AuditSegment Segment)> _starts = [];
    private int _index;
    private FileStream? _current;
    private bool _currentEmpty = true;
    private byte _lastByte = (byte)'\n';
    private long _lines;
    private long _position;

    /// <param name="name">How a segment is named in messages.</param>
    /// <param name="root">The folder the segments are opened beneath, through no link (<see cref="BeneathWorkspace"/>).</param>
    public SegmentedLogStream(IReadOnlyList<AuditSegment> segments, Func<AuditSegment, string> name, string root)
    {
        _segments = segments;
        _name = name;
        _root = root;
        Length = segments.Sum(s => BeneathWorkspace.Stat(root, s.Path, name(s)).Size);
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    /// <summary>Line <paramref name="line"/> of the whole (from 1) as its segment's name and its line number there.</summary>
    public (string Segment, int Line) Place(int line)
    {
        for (var i = _starts.Count - 1; i >= 0; i--)
        {
            if (_starts[i].FirstLine <= line)
            {
                return (_name(_starts[i].Segment), (int)(line - _starts[i].FirstLine + 1));
            }
        }

        return (_segments.Count > 0 ? _name(_segments[0]) : string.Empty, line);
    }

    /// <summary>The segment the last line read belongs to.</summary>
    public string? CurrentSegment => _starts.Count > 0 ? _name(_starts[^1].Segment) : null;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            if (_current is null)
            {
                if (_index >= _segments.Count)
                {
                    return 0;
                }

                _current = BeneathWorkspace.OpenRead(_root, _segments[_index].Path, _name(_segments[_index]));
                if (_starts.Count <= _index)
                {
                    _starts.Add((_lines + 1, _segments[_index]));
                }

                _currentEmpty = true;
            }

            var read = _current.Read(buffer);
            if (read > 0)
            {
                _currentEmpty = false;
                _lastByte = buffer[read - 1];
                _lines += System.MemoryExtensions.Count(buffer[..read], (byte)'\n');
                _position += read;
                return read;
            }

            _current.Dispose();
            _current = null;
            _index++;
            if (!_currentEmpty && _lastByte != (byte)'\n' && _index < _segments.Count)
            {
                _lastByte = (byte)'\n';
                buffer[0] = (byte)'\n';
                _lines++;
                _position++;
                return 1;
            }
        }
    }

    /// <summary>Only back to the start, for a second look from the beginning.</summary>
    public override long Seek(long offset, SeekOrigin origin)
    {
        if (offset != 0 || origin != SeekOrigin.Begin)
        {
            throw new NotSupportedException("the segmented log can only be read again from its start");
        }

        _current?.Dispose();
        _current = null;
        _index = 0;
        _lines = 0;
        _position = 0;
        _lastByte = (byte)'\n';
        return 0;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
        }

        base.Dispose(disposing);
    }
}
