using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyAction.Configuration;

/// <summary>
/// Where each node of a YAML document starts, keyed by a dotted path such as
/// <c>levels.RED[0].run</c>, so validation errors can name a line and column.
/// Building it also rejects syntax errors and duplicate keys.
/// </summary>
internal sealed class YamlPositionIndex
{
    private readonly Dictionary<string, Mark> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Mark> _values = new(StringComparer.Ordinal);

    private YamlPositionIndex()
    {
    }

    public YamlNode? Root { get; private set; }

    public static YamlPositionIndex Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var index = new YamlPositionIndex();
        if (stream.Documents.Count > 1)
        {
            throw new YamlException(stream.Documents[1].RootNode.Start, stream.Documents[1].RootNode.End, "only one YAML document is allowed");
        }

        if (stream.Documents.Count == 1)
        {
            index.Root = stream.Documents[0].RootNode;
            index.Walk(index.Root, string.Empty);
        }

        return index;
    }

    /// <summary>The position of the key (for mapping entries) or of the node itself; the nearest parent otherwise.</summary>
    public Mark? Find(string path)
    {
        for (var current = path; ; current = Parent(current))
        {
            if (_keys.TryGetValue(current, out var key))
            {
                return key;
            }

            if (_values.TryGetValue(current, out var value))
            {
                return value;
            }

            if (current.Length == 0)
            {
                return null;
            }
        }
    }

    public bool Has(string path) => _keys.ContainsKey(path) || _values.ContainsKey(path);

    /// <summary>The position of the value itself, falling back to its key.</summary>
    public Mark? FindValue(string path) => _values.TryGetValue(path, out var mark) ? mark : Find(path);

    /// <summary>The path of the key or node that starts at <paramref name="mark"/>, if any.</summary>
    public string? PathAt(Mark mark)
    {
        foreach (var (path, key) in _keys)
        {
            if (key.Line == mark.Line && key.Column == mark.Column)
            {
                return path;
            }
        }

        string? best = null;
        foreach (var (path, value) in _values)
        {
            if (value.Line == mark.Line && value.Column == mark.Column && (best is null || path.Length > best.Length))
            {
                best = path;
            }
        }

        return best;
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? string.Empty : path[..cut];
    }

    private void Walk(YamlNode node, string path)
    {
        _values.TryAdd(path, node.Start);
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode scalar ? scalar.Value ?? string.Empty : key.ToString();
                    var childPath = path.Length == 0 ? name : $"{path}.{name}";
                    _keys.TryAdd(childPath, key.Start);
                    Walk(value, childPath);
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Walk(sequence.Children[i], $"{path}[{i}]");
                }

                break;
        }
    }
}
