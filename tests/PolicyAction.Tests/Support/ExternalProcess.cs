using System.Diagnostics;

namespace PolicyAction.Tests.Support;

/// <summary>Runs a program (the tool, bash, dotnet, an installed tool) as a real child process and collects its output.</summary>
internal static class ExternalProcess
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static Task<CliResult> RunAsync(
        string fileName,
        IEnumerable<string> args,
        string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null) =>
        RunAsync(new ProcessStartInfo(fileName, args) { WorkingDirectory = workingDirectory }, environment, timeout);

    /// <summary>Starts <paramref name="start"/> with these variables set (a null value removes one); a child still running
    /// after <paramref name="timeout"/> (default 60 s) is killed with its descendants and the run fails.</summary>
    /// <param name="whileRunning">Called with the child's pid once it started (to signal it), while its output is read.</param>
    public static async Task<CliResult> RunAsync(ProcessStartInfo start, IReadOnlyDictionary<string, string?>? environment, TimeSpan? timeout = null, Func<int, Task>? whileRunning = null)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            if (whileRunning is not null)
            {
                await whileRunning(process.Id).WaitAsync(limit.Token);
            }

            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish in {timeout ?? DefaultTimeout}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
