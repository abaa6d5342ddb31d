using PolicyAction.Processes;

namespace PolicyAction.Tests.Support;

/// <summary>A process runner whose outcome a test decides, recording every spec it was given.</summary>
internal sealed class ScriptedProcessRunner : IProcessRunner
{
    private readonly Func<ProcessSpec, ProcessOutcome> _behaviour;

    public ScriptedProcessRunner(Func<ProcessSpec, ProcessOutcome>? behaviour = null)
    {
        _behaviour = behaviour ?? (_ => Exit(0));
    }

    public List<ProcessSpec> Started { get; } = [];

    public static ProcessOutcome Exit(int code, string stdout = "") => new(code, false, stdout, string.Empty, false, TimeSpan.FromMilliseconds(5), null);

    public static ProcessOutcome TimedOut() => new(null, true, string.Empty, string.Empty, false, TimeSpan.FromSeconds(1), null);

    public Task<ProcessOutcome> RunAsync(ProcessSpec spec, Action<string, string>? onOutputLine, CancellationToken cancellationToken)
    {
        Started.Add(spec);
        return Task.FromResult(_behaviour(spec));
    }
}
