using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PolicyAction.Configuration;

/// <summary>
/// Where each node of a YAML document starts, found by a dotted path such as <c>levels.RED[0].run</c>, so
/// validation errors can name a line and column. Building it also rejects syntax errors and duplicate keys.
/// A path is matched against the tree when asked, never stored for every node: each node's path repeats every key
/// above it, so one 300 KB key over a list of 300 000 values made gigabytes of paths and ran the tool out of memory.
/// </summary>
internal sealed class YamlPositionIndex
{
    // Each mapping's entries by key name, built the first time a path passes through it.
    private readonly Dictionary<YamlMappingNode, Entries> _entries = new(ReferenceEqualityComparer.Instance);

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
        }

        return index;
    }

    /// <summary>The position of the key (for mapping entries) or of the node itself; the nearest parent otherwise.</summary>
    public Mark? Find(string path)
    {
        for (var current = path; ; current = Parent(current))
        {
            if (Locate(current) is { } found)
            {
                return (found.Key ?? found.Node).Start;
            }

            if (current.Length == 0)
            {
                return null;
            }
        }
    }

    public bool Has(string path) => Locate(path) is not null;

    /// <summary>The position of the value itself, falling back to its key.</summary>
    public Mark? FindValue(string path) => Locate(path) is { } found ? found.Node.Start : Find(path);

    /// <summary>The path of the key or node that starts at <paramref name="mark"/>, if any: the first such key in the document, else the deepest such node.</summary>
    public string? PathAt(Mark mark)
    {
        if (Root is null)
        {
            return null;
        }

        var search = new MarkSearch(this, mark);
        search.Visit(Root, 0);
        return search.KeyPath ?? search.NodePath;
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? string.Empty : path[..cut];
    }

    private static string Name(YamlNode key) => key is YamlScalarNode scalar ? scalar.Value ?? string.Empty : key.ToString();

    private static bool Starts(YamlNode node, Mark mark) => node.Start.Line == mark.Line && node.Start.Column == mark.Column;

    private Located? Locate(string path) => Root is null ? null : Locate(Root, null, path, 0);

    /// <summary>The node the rest of <paramref name="path"/> from <paramref name="at"/> names below <paramref name="node"/>.</summary>
    private Located? Locate(YamlNode node, YamlNode? key, string path, int at)
    {
        if (at == path.Length)
        {
            return new Located(node, key);
        }

        switch (node)
        {
            case YamlSequenceNode sequence when path[at] == '[':
                var close = path.IndexOf(']', at);
                return close > at + 1
                    && int.TryParse(path.AsSpan(at + 1, close - at - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var item)
                    && item < sequence.Children.Count
                        ? Locate(sequence.Children[item], null, path, close + 1)
                        : null;
            case YamlMappingNode mapping:
                // The top level's keys start the path; a key below it follows a dot.
                var from = at == 0 ? 0 : path[at] == '.' ? at + 1 : -1;
                if (from < 0)
                {
                    return null;
                }

                // A key may hold '.' or '[' itself: try every key that the path could name here, the first in the file first.
                var entries = EntriesOf(mapping);
                var names = entries.ByName.GetAlternateLookup<ReadOnlySpan<char>>();
                var matches = new List<(int Order, YamlNode Key, YamlNode Value, int End)>();
                foreach (var length in entries.Lengths)
                {
                    var end = from + length;
                    if (end <= path.Length && (end == path.Length || path[end] is '.' or '[') && names.TryGetValue(path.AsSpan(from, length), out var entry))
                    {
                        matches.Add((entry.Order, entry.Key, entry.Value, end));
                    }
                }

                foreach (var match in matches.OrderBy(m => m.Order))
                {
                    if (Locate(match.Value, match.Key, path, match.End) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private Entries EntriesOf(YamlMappingNode mapping)
    {
        if (!_entries.TryGetValue(mapping, out var entries))
        {
            var inOrder = mapping.Children.Select(entry => (Name: Name(entry.Key), entry.Key, entry.Value)).ToArray();
            var byName = new Dictionary<string, (int Order, YamlNode Key, YamlNode Value)>(StringComparer.Ordinal);
            for (var i = 0; i < inOrder.Length; i++)
            {
                byName.TryAdd(inOrder[i].Name, (i, inOrder[i].Key, inOrder[i].Value));
            }

            entries = new Entries(inOrder, byName, byName.Keys.Select(name => name.Length).Distinct().ToArray());
            _entries[mapping] = entries;
        }

        return entries;
    }

    private sealed record Located(YamlNode Node, YamlNode? Key);

    /// <summary>A mapping's entries in file order with their names, by name (the first of a name), and the lengths its names come in.</summary>
    private sealed record Entries(
        (string Name, YamlNode Key, YamlNode Value)[] InOrder,
        Dictionary<string, (int Order, YamlNode Key, YamlNode Value)> ByName,
        int[] Lengths);

    /// <summary>
    /// One walk of the document in file order for the nodes at a mark, holding the path as a list of parts:
    /// a path is written out only for a node found, not for every node passed.
    /// </summary>
    private sealed class MarkSearch(YamlPositionIndex index, Mark mark)
    {
        private readonly List<string> _parts = [];
        private int _deepest = -1;

        public string? KeyPath { get; private set; }

        public string? NodePath { get; private set; }

        public void Visit(YamlNode node, int length)
        {
            if (Starts(node, mark) && length > _deepest)
            {
                (_deepest, NodePath) = (length, string.Concat(_parts));
            }

            switch (node)
            {
                case YamlMappingNode mapping:
                    var dot = length == 0 ? string.Empty : ".";
                    foreach (var (name, key, value) in index.EntriesOf(mapping).InOrder)
                    {
                        _parts.Add(dot);
                        _parts.Add(name);
                        if (Starts(key, mark))
                        {
                            KeyPath = string.Concat(_parts);
                            return;
                        }

                        Visit(value, length + dot.Length + name.Length);
                        _parts.RemoveRange(_parts.Count - 2, 2);
                        if (KeyPath is not null)
                        {
                            return;
                        }
                    }

                    break;
                case YamlSequenceNode sequence:
                    for (var i = 0; i < sequence.Children.Count; i++)
                    {
                        var part = $"[{i}]";
                        _parts.Add(part);
                        Visit(sequence.Children[i], length + part.Length);
                        _parts.RemoveAt(_parts.Count - 1);
                        if (KeyPath is not null)
                        {
                            return;
                        }
                    }

                    break;
            }
        }
    }
}
