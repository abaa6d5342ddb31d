using System.Runtime.InteropServices;

namespace PolicyAction.Cli;

/// <summary>
/// SIGTERM (the runner cancelling a job, a container stopping) and SIGINT (Ctrl+C) cancel the run's token: a wait
/// for the workspace lock or for an action ends at once, the action's process tree is killed, and the command
/// stops with "cancelled". A run that has not ended <see cref="Grace"/> later is ended by the process itself, as a
/// kill would end it, which every state file survives (each is replaced atomically, each audit record is one write).
/// </summary>
internal static class TerminationSignals
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private static Timer? _watchdog;

    /// <summary>Handles both signals until disposed.</summary>
    public static IDisposable Register(CancellationTokenSource cancellation, TextWriter error)
    {
        void Handle(PosixSignalContext context)
        {
            // Not the runtime's default (end the process now): the command gets to stop cleanly first.
            context.Cancel = true;
            var code = 128 + (context.Signal == PosixSignal.SIGINT ? 2 : 15);
            var name = context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
            Interlocked.CompareExchange(ref _watchdog, new Timer(_ => Exit(error, name, code), null, Grace, Timeout.InfiniteTimeSpan), null);
            cancellation.Cancel();
        }

        return new Registrations(PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle), PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle));
    }

    private static void Exit(TextWriter error, string signal, int code)
    {
        error.WriteLine($"error: still running {Grace.TotalSeconds:0} s after {signal}; stopping now, as a kill would (the state files and the audit log survive that; policy-response verify-log checks the log)");
        error.Flush();
        Environment.Exit(code);
    }

    private sealed class Registrations(params PosixSignalRegistration[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
