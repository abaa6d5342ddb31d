using System.Diagnostics;

namespace PolicyAction.Tests.Support;

/// <summary>Runs the built <c>policy-response</c> as a real child process, as an operator or the runner would.</summary>
internal static class ProcessCli
{
    /// <summary>
    /// Set to a published binary (the Native AOT build in <c>.ci/run</c>) to run every process test against it
    /// instead of the JIT build beside the tests.
    /// </summary>
    public const string UnderTestVariable = "POLICY_RESPONSE_UNDER_TEST";

    /// <summary>The native binary under test, or null for the JIT build (<c>dotnet policy-response.dll</c>).</summary>
    public static string? NativeBinary => Environment.GetEnvironmentVariable(UnderTestVariable) is { Length: > 0 } path
        ? File.Exists(path) ? Path.GetFullPath(path) : throw new FileNotFoundException($"{UnderTestVariable} names {path}, which does not exist")
        : null;

    /// <summary>How to start the tool with these arguments, as the runner or an operator would.</summary>
    public static ProcessStartInfo StartInfo(string workingDirectory, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(NativeBinary ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (NativeBinary is null)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "policy-response.dll"));
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove(UnderTestVariable);
        return start;
    }

    public static Task<CliResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var start = StartInfo(workingDirectory, args);
        start.Environment.Remove("POLICY_AUTO_APPLY");
        start.Environment.Remove("GITHUB_WORKSPACE");
        start.Environment["GITHUB_ACTOR"] = "octocat";
        return ExternalProcess.RunAsync(start, environment);
    }

    public static Task<CliResult> RunAsync(TempWorkspace workspace, params string[] args) =>
        RunAsync(workspace.Root, null, [.. args, "--workspace", workspace.Root]);
}
