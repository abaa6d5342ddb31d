namespace PolicyAction.Output;

/// <summary>Where the tool talks to the operator: results on stdout, warnings and errors on stderr.</summary>
internal sealed class Reporter
{
    public Reporter(TextWriter output, TextWriter error)
    {
        Output = output;
        Error = error;
    }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    /// <summary>The same reporter with everything on stderr, so stdout carries only a JSON document.</summary>
    public Reporter ToErrorStream() => new(Error, Error);

    public void Line(string text = "") => Output.WriteLine(text);

    public void Warning(string text) => Error.WriteLine($"warning: {text}");

    public void Failure(string text) => Error.WriteLine($"error: {text}");

    /// <summary>A line of an action's own output, marked so it cannot be mistaken for ours.</summary>
    public void ChildOutput(string actionId, string stream, string line) =>
        Output.WriteLine(stream == "stderr" ? $"  [{actionId}] ! {line}" : $"  [{actionId}] {line}");
}
