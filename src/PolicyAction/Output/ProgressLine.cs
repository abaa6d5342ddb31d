using System.Globalization;

namespace PolicyAction.Output;

/// <summary>
/// One progress line on a terminal during a long pass over a big file (<c>verify-log: 41% of 300 MB</c>), redrawn in
/// place and wiped at the end. Only for people watching: never in a log, a pipe or a workflow run.
/// </summary>
internal sealed class ProgressLine : IDisposable
{
    /// <summary>Files smaller than this finish before a progress line would help.</summary>
    public const long MinimumBytes = 64L * 1024 * 1024;

    private readonly TextWriter _writer;
    private readonly string _label;
    private readonly long _total;
    private int _width;

    internal ProgressLine(TextWriter writer, string label, long total)
    {
        _writer = writer;
        _label = label;
        _total = total;
    }

    /// <summary>A progress line for a pass over <paramref name="path"/>, or null when nobody would see it or it is quick.</summary>
    public static ProgressLine? ForFile(string path, string label, TextWriter writer, bool isTerminal)
    {
        var file = new FileInfo(path);
        return isTerminal && file.Exists && file.Length >= MinimumBytes ? new ProgressLine(writer, label, file.Length) : null;
    }

    /// <summary>A progress line for a pass over files of <paramref name="total"/> bytes, or null when nobody would see it or it is quick.</summary>
    public static ProgressLine? ForBytes(long total, string label, TextWriter writer, bool isTerminal) =>
        isTerminal && total >= MinimumBytes ? new ProgressLine(writer, label, total) : null;

    public void Report(long done)
    {
        var percent = _total == 0 ? 100 : (int)Math.Min(100, done * 100 / _total);
        var text = string.Create(CultureInfo.InvariantCulture, $"{_label}: {percent,3}% of {_total / 1_000_000.0:0} MB");
        _width = Math.Max(_width, text.Length);
        _writer.Write("\r" + text);
        _writer.Flush();
    }

    public void Dispose()
    {
        if (_width > 0)
        {
            _writer.Write("\r" + new string(' ', _width) + "\r");
            _writer.Flush();
        }
    }
}
