namespace PolicyAction.RunnerProtocol;

/// <summary>
/// Inputs as the runner passes them to a container action: <c>INPUT_&lt;NAME&gt;</c>, the name upper-cased
/// with spaces turned to underscores and hyphens kept.
/// </summary>
internal sealed class ActionInputs
{
    private readonly IReadOnlyDictionary<string, string> _environment;

    public ActionInputs(IReadOnlyDictionary<string, string> environment)
    {
        _environment = environment;
    }

    public static string VariableName(string input) => "INPUT_" + input.Replace(' ', '_').ToUpperInvariant();

    /// <summary>The trimmed value, or null when the input is absent or empty (the runner passes unset inputs as empty).</summary>
    public string? GetString(string name)
    {
        var value = _environment.TryGetValue(VariableName(name), out var raw) ? raw.Trim() : null;
        return string.IsNullOrEmpty(value) ? null : value;
    }

    public string GetRequiredString(string name) =>
        GetString(name) ?? throw new UsageException($"input '{name}' is required and was not given");

    /// <summary>The YAML 1.2 core booleans the runner's own toolkit accepts: true|True|TRUE|false|False|FALSE.</summary>
    public bool GetBoolean(string name, bool defaultValue)
    {
        var value = GetString(name);
        return value switch
        {
            null => defaultValue,
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ => throw new UsageException(
                $"input '{name}' must be one of true, True, TRUE, false, False, FALSE; got '{Printable(value)}'"),
        };
    }

    /// <summary>An input's value as an error message quotes it: short, on one line.</summary>
    internal static string Printable(string value) =>
        (value.Length > 40 ? value[..40] + "…" : value).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
}
