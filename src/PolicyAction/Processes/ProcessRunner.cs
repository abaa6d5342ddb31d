using System.Runtime.InteropServices;
using System.Diagnostics;
using System.Text;

namespace PolicyAction.Processes;

/// <summary>
/// Starts real processes without a shell, streams their output line by line, keeps a bounded tail of it,
/// and kills the whole process tree when the timeout passes. No process an action started outlives it:
/// when it exits or times out, its strays (detached grandchildren included) are killed too.
/// </summary>
/// <param name="reapOrphans">
/// Whether this process is the tool, running one process at a time: it then becomes a child subreaper and, after each
/// action, kills every process that came back to it (<see cref="OrphanReaper"/>). Not in a host that starts other
/// processes of its own (a test host), whose children are not an action's.
/// </param>
internal sealed class ProcessRunner(bool reapOrphans = false) : IProcessRunner
{
    private readonly Lazy<bool> _subreaper = new(() => reapOrphans && ProcessHardening.BecomeSubreaper());

    // After the child exits, a grandchild that kept the pipes open must not hold us forever.
    private static readonly TimeSpan OutputDrainGrace = TimeSpan.FromSeconds(2);

    public async Task<ProcessOutcome> RunAsync(ProcessSpec spec, Action<string, string>? onOutputLine, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(spec.Executable)
        {
            WorkingDirectory = spec.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in spec.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        foreach (var (name, value) in spec.Environment)
        {
            startInfo.Environment[name] = value;
        }

        var cookie = StrayProcessSweeper.NewCookie();
        startInfo.Environment[StrayProcessSweeper.CookieVariable] = cookie;

        var stopwatch = Stopwatch.StartNew();

        // The child must not read the tool's environment (the token) or memory through /proc: fail closed if the
        // kernel will not make this process non-dumpable.
        if (OperatingSystem.IsLinux() && !ProcessHardening.MakeNonDumpable())
        {
            return new ProcessOutcome(null, false, string.Empty, string.Empty, false, stopwatch.Elapsed, $"could not start {spec.Executable}: the tool could not make itself non-dumpable (prctl PR_SET_DUMPABLE failed: errno {Marshal.GetLastPInvokeError()}), so the child could read its token");
        }

        _ = _subreaper.Value;
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return new ProcessOutcome(null, false, string.Empty, string.Empty, false, stopwatch.Elapsed, $"could not start {spec.Executable}: {e.Message}");
        }

        // Actions get no stdin: nothing may wait for a human at 3 a.m.
        process.StandardInput.Close();

        var stdout = new BoundedCapture(spec.MaxCapturedBytes);
        var stderr = new BoundedCapture(spec.MaxCapturedBytes);
        // Lines that arrive after this returns (a writer that kept the pipe past the drain grace) are captured but
        // no longer shown: the caller's fence around the action's output has been lifted by then.
        var delivering = 1;
        void Deliver(string stream, string line)
        {
            if (Volatile.Read(ref delivering) == 1)
            {
                onOutputLine?.Invoke(stream, line);
            }
        }

        var stdoutTask = PumpAsync(process.StandardOutput, stdout, line => Deliver("stdout", line));
        var stderrTask = PumpAsync(process.StandardError, stderr, line => Deliver("stderr", line));

        var timedOut = false;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(spec.Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                timedOut = !cancellationToken.IsCancellationRequested;
                KillTree(process);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        // The kernel's account first (every orphan came back to this process), then the cookie sweep for what a
        // refused subreaper could not bring back.
        var strays = (_subreaper.Value ? OrphanReaper.KillAll() : 0) + StrayProcessSweeper.KillAll(cookie);

        await Task.WhenAny(Task.WhenAll(stdoutTask, stderrTask), Task.Delay(OutputDrainGrace, CancellationToken.None)).ConfigureAwait(false);
        Volatile.Write(ref delivering, 0);
        stopwatch.Stop();

        cancellationToken.ThrowIfCancellationRequested();
        return new ProcessOutcome(
            timedOut ? null : process.ExitCode,
            timedOut,
            stdout.ToString(),
            stderr.ToString(),
            stdout.Truncated || stderr.Truncated,
            stopwatch.Elapsed,
            null,
            strays)
        {
            StdoutTruncated = stdout.Truncated,
        };
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private static async Task PumpAsync(StreamReader reader, BoundedCapture capture, Action<string> onLine)
    {
        var buffer = new char[4096];
        var line = new StringBuilder();
        var afterCr = false;
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            capture.Append(buffer.AsSpan(0, read));
            for (var i = 0; i < read; i++)
            {
                // Lines end where the runner's end: LF, CR or CRLF, so each is shown behind its prefix.
                var c = buffer[i];
                if (c == '\n' && afterCr)
                {
                    afterCr = false;
                    continue;
                }

                afterCr = c == '\r';
                if (c is '\n' or '\r' || line.Length >= 4096)
                {
                    onLine(line.ToString());
                    line.Clear();
                    if (c is '\n' or '\r')
                    {
                        continue;
                    }
                }

                line.Append(c);
            }
        }

        if (line.Length > 0)
        {
            onLine(line.ToString());
        }
    }

    /// <summary>Keeps the last <c>limit</c> characters of a stream, noting that earlier output was dropped.</summary>
    private sealed class BoundedCapture
    {
        private readonly int _limit;
        private readonly StringBuilder _text = new();

        public BoundedCapture(int limit)
        {
            _limit = Math.Max(1024, limit);
        }

        public bool Truncated { get; private set; }

        public void Append(ReadOnlySpan<char> chunk)
        {
            lock (_text)
            {
                _text.Append(chunk);
                if (_text.Length > _limit * 2)
                {
                    _text.Remove(0, _text.Length - _limit);
                    Truncated = true;
                }
            }
        }

        public override string ToString()
        {
            lock (_text)
            {
                if (_text.Length > _limit)
                {
                    _text.Remove(0, _text.Length - _limit);
                    Truncated = true;
                }

                return Truncated ? $"[... earlier output truncated; last {_limit} characters kept ...]\n{_text}" : _text.ToString();
            }
        }
    }
}
