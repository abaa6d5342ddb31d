using PolicyAction.Output;
using YamlDotNet.Core;

namespace PolicyAction.Configuration;

/// <summary>The problems found in one configuration file, each placed at its line and column by the YAML position index.</summary>
internal sealed class ConfigProblems(string path, YamlPositionIndex index)
{
    private readonly List<ConfigProblem> _found = [];

    public IReadOnlyList<ConfigProblem> Found => _found;

    /// <summary>Whether the document has the key at all (a key with an empty value binds to null).</summary>
    public bool Has(string field) => index.Has(field);

    /// <param name="atValue">Point at the value (a wrong value) rather than at the key (a key that should not be there).</param>
    public void Report(string field, string message, bool atValue = true)
    {
        var mark = atValue ? index.FindValue(field) : index.Find(field);
        _found.Add(mark is { } m ? At(path, m, field, message) : new ConfigProblem(path, null, null, field, message));
    }

    /// <summary>A duration such as 30m, 4h or 7d; the fallback (and a problem) when it is not one.</summary>
    public TimeSpan Duration(string? text, string field, TimeSpan fallback)
    {
        if (text is null)
        {
            return fallback;
        }

        if (Durations.TryParse(text, out var duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }

        Report(field, $"'{text}' is not a duration; write a whole number and a unit, such as 30m, 4h or 7d");
        return fallback;
    }

    public static ConfigProblem At(string path, Mark mark, string field, string message) =>
        new(path, (int)mark.Line, (int)mark.Column, field, message);
}
