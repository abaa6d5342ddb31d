using System.Diagnostics;

namespace PolicyAction.Tests.Support;

/// <summary>Runs the built <c>policy-response</c> as a real child process, as an operator or the runner would.</summary>
internal static class ProcessCli
{
    public static string ToolPath => Path.Combine(AppContext.BaseDirectory, "policy-response.dll");

    public static async Task<CliResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ToolPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("POLICY_AUTO_APPLY");
        start.Environment.Remove("GITHUB_WORKSPACE");
        start.Environment["GITHUB_ACTOR"] = "octocat";
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
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<CliResult> RunAsync(TempWorkspace workspace, params string[] args) =>
        RunAsync(workspace.Root, null, [.. args, "--workspace", workspace.Root]);
}
