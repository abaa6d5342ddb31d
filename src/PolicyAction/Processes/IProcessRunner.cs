namespace PolicyAction.Processes;

/// <summary>A process to start: an absolute executable and its argv, never a shell line.</summary>
internal sealed record ProcessSpec(
    string Executable,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    TimeSpan Timeout,
    int MaxCapturedBytes);

internal sealed record ProcessOutcome(
    int? ExitCode,
    bool TimedOut,
    string Stdout,
    string Stderr,
    bool OutputTruncated,
    TimeSpan Duration,
    string? StartError,
    int StraysKilled = 0)
{
    /// <summary>Whether stdout itself lost its beginning (<see cref="OutputTruncated"/> says either stream did): a value read from stdout is then incomplete.</summary>
    public bool StdoutTruncated { get; init; }
}

/// <summary>The seam to the operating system's processes.</summary>
internal interface IProcessRunner
{
    /// <param name="onOutputLine">Called with each line as it arrives (stream name, line) so output is streamed, not only captured.</param>
    Task<ProcessOutcome> RunAsync(ProcessSpec spec, Action<string, string>? onOutputLine, CancellationToken cancellationToken);
}
