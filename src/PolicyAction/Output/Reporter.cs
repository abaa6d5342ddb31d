using PolicyAction.RunnerProtocol;

namespace PolicyAction.Output;

/// <summary>
/// Where the tool talks to the operator. At a terminal: results on stdout, warnings and errors on stderr.
/// Inside a GitHub Actions runner: warnings and errors become annotations, stages become log groups,
/// and text that is not ours (actions' output) is fenced off so it cannot issue workflow commands.
/// </summary>
internal sealed class Reporter
{
    public Reporter(TextWriter output, TextWriter error, bool workflowCommands = false)
    {
        Output = output;
        Error = error;
        WorkflowCommands = workflowCommands;
    }

    private readonly Lock _childOutputLock = new();

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    /// <summary>True when the runner reads our output for workflow commands.</summary>
    public bool WorkflowCommands { get; }

    /// <summary>The same reporter with everything on stderr, so stdout carries only a JSON document.</summary>
    public Reporter ToErrorStream() => new(Error, Error, WorkflowCommands);

    public void Line(string text = "") => Text(text + Environment.NewLine);

    /// <summary>
    /// Writes text that may carry data from files, inputs, payloads and GitHub (reasons, paths, commands, messages).
    /// In a runner, text the runner could read a workflow command from (<see cref="CommandLines"/>: lines ending at
    /// LF, CR or CRLF; <c>::</c> after leading white space; <c>##[</c> anywhere) is fenced off.
    /// </summary>
    public void Text(string text)
    {
        if (WorkflowCommands && CommandLines.MayIssueCommand(text))
        {
            using (Untrusted())
            {
                // The resume token must start its own line or the runner never sees it.
                Output.Write(text.EndsWith('\n') ? text : text + "\n");
            }

            return;
        }

        Output.Write(text);
    }

    /// <summary>A JSON document on the output: in a runner, with nothing in it the runner could read as a command.</summary>
    public void Json(string document) => Output.Write((WorkflowCommands ? CommandLines.InertJson(document) : document) + Environment.NewLine);

    public void Warning(string text, string? title = null)
    {
        if (WorkflowCommands)
        {
            Output.WriteLine(RunnerProtocol.WorkflowCommands.Warning(text, title));
        }
        else
        {
            Error.WriteLine($"warning: {text}");
        }
    }

    public void Failure(string text, string? title = null)
    {
        if (WorkflowCommands)
        {
            Output.WriteLine(RunnerProtocol.WorkflowCommands.Error(text, title));
        }
        else
        {
            Error.WriteLine($"error: {text}");
        }
    }

    public void Notice(string text, string? title = null)
    {
        Output.WriteLine(WorkflowCommands ? RunnerProtocol.WorkflowCommands.Notice(text, title) : text);
    }

    /// <summary>A collapsible log group in the runner; a plain heading at a terminal.</summary>
    public IDisposable Group(string title)
    {
        Output.WriteLine(WorkflowCommands ? RunnerProtocol.WorkflowCommands.Group(title) : $"== {title}");
        return new Scope(() => Output.WriteLine(WorkflowCommands ? RunnerProtocol.WorkflowCommands.EndGroup() : string.Empty));
    }

    /// <summary>
    /// Everything written until disposal is someone else's text: the runner ignores workflow commands in it
    /// (<c>::stop-commands::</c> with a token nobody can predict, then the token to resume).
    /// </summary>
    public IDisposable Untrusted()
    {
        if (!WorkflowCommands)
        {
            return new Scope(null);
        }

        var token = RunnerProtocol.WorkflowCommands.NewStopToken();
        Output.WriteLine(RunnerProtocol.WorkflowCommands.StopCommands(token));
        return new Scope(() => Output.WriteLine(RunnerProtocol.WorkflowCommands.ResumeCommands(token)));
    }

    /// <summary>A line of an action's own output, marked so it cannot be mistaken for ours.</summary>
    /// <remarks>Called from both output pumps of a child process at once, hence the lock.</remarks>
    public void ChildOutput(string actionId, string stream, string line)
    {
        lock (_childOutputLock)
        {
            Output.WriteLine(stream == "stderr" ? $"  [{actionId}] ! {line}" : $"  [{actionId}] {line}");
        }
    }

    private sealed class Scope(Action? onDispose) : IDisposable
    {
        private Action? _onDispose = onDispose;

        public void Dispose()
        {
            _onDispose?.Invoke();
            _onDispose = null;
        }
    }
}
