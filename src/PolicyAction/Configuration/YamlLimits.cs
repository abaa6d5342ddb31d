using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PolicyAction.Configuration;

/// <summary>
/// Bounds a YAML document before anything builds a tree of it: lists and mappings nested at most
/// <see cref="MaxDepth"/> deep, aliases adding at most <see cref="MaxAliasValues"/> values in all, and each alias
/// repeating a value anchored before it. The representation model, the position walk and the deserializer recurse
/// once per level and visit an alias's whole value at every alias, so 80 KB of brackets overflowed the stack and
/// 490 bytes of aliases (billion laughs) ran the tool out of memory. YamlDotNet's parser is a state machine: reading
/// its events holds only the levels still open, and stops at the first one past the limit.
/// </summary>
internal static class YamlLimits
{
    /// <summary>The configuration's deepest value (levels.RED[0].reversible.paths[0]) is 6 levels in.</summary>
    public const int MaxDepth = 64;

    /// <summary>Enough to repeat an action (a dozen values) hundreds of times; far short of what hurts.</summary>
    public const int MaxAliasValues = 10_000;

    /// <summary>Throws a <see cref="ConfigurationException"/> at the first list, mapping or alias past a limit; YAML syntax errors are left to the caller (a <see cref="YamlException"/>).</summary>
    public static void Check(string text, string path)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, Extent>(StringComparer.Ordinal);
        var open = new Stack<Frame>();
        var aliasValues = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case DocumentStart:
                    // Anchors are scoped to their document.
                    anchors.Clear();
                    break;
                case NodeEvent start and (MappingStart or SequenceStart):
                    Nest(1, start.Start);
                    open.Push(new Frame(start.Anchor));
                    break;
                case MappingEnd or SequenceEnd:
                    var frame = open.Pop();
                    Close(new Extent(frame.Values + 1, frame.Height + 1), frame.Anchor);
                    break;
                case Scalar scalar:
                    Close(new Extent(1, 0), scalar.Anchor);
                    break;
                case AnchorAlias alias:
                    // The representation model resolves an alias to a later anchor, or to the value it sits in
                    // (&a [*a], a cycle every walk follows for ever); only an earlier, finished value is a copy.
                    if (!anchors.TryGetValue(alias.Value.Value, out var target))
                    {
                        throw new ConfigurationException([Problem(path, alias.Start, $"alias *{alias.Value.Value} does not repeat a value anchored before it; an alias may only repeat an earlier, complete value")]);
                    }

                    // An alias stands for a copy of its anchor's whole value, as deep and as large.
                    Nest(target.Height, alias.Start);
                    aliasValues += target.Values;
                    if (aliasValues > MaxAliasValues)
                    {
                        throw new ConfigurationException([Problem(path, alias.Start, $"aliases (here *{alias.Value.Value}) expand to more than {MaxAliasValues} values; write the repeated parts out instead")]);
                    }

                    Close(target, AnchorName.Empty);
                    break;
            }
        }

        // A value this many lists and mappings deep, starting below those still open.
        void Nest(int height, Mark at)
        {
            if (open.Count + height > MaxDepth)
            {
                throw new ConfigurationException([Problem(path, at, $"lists and mappings are nested more than {MaxDepth} deep; the configuration needs at most 6")]);
            }
        }

        void Close(Extent extent, AnchorName anchor)
        {
            if (!anchor.IsEmpty)
            {
                anchors[anchor.Value] = extent;
            }

            if (open.TryPeek(out var parent))
            {
                parent.Values += extent.Values;
                parent.Height = Math.Max(parent.Height, extent.Height);
            }
        }
    }

    private static ConfigProblem Problem(string path, Mark mark, string message) => ConfigProblems.At(path, mark, string.Empty, message);

    /// <summary>How many values a node stands for, itself included, and how many lists and mappings deep it goes.</summary>
    private readonly record struct Extent(int Values, int Height);

    /// <summary>A list or mapping still open: its anchor, and what its children so far add up to.</summary>
    private sealed class Frame(AnchorName anchor)
    {
        public AnchorName Anchor { get; } = anchor;

        public int Values { get; set; }

        public int Height { get; set; }
    }
}
