using Microsoft.Extensions.Time.Testing;
using PolicyAction.Cli;
using PolicyAction.Processes;

namespace PolicyAction.Tests.Support;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the CLI in this process with a fake clock and a chosen environment (real files, real processes).</summary>
internal static class CliHarness
{
    public static readonly DateTimeOffset Now = new(2026, 11, 24, 5, 0, 0, TimeSpan.Zero);

    public static async Task<CliResult> RunAsync(
        TempWorkspace workspace,
        IReadOnlyDictionary<string, string>? environment = null,
        TimeProvider? clock = null,
        IProcessRunner? processes = null,
        params string[] args)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["GITHUB_ACTOR"] = "octocat",
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var app = new CliApplication(
            RunContext.FromVariables(variables),
            clock ?? new FakeTimeProvider(Now),
            processes ?? new ProcessRunner(),
            output,
            error,
            workspace.Root);
        string[] full = args.Contains("--workspace") ? args : [.. args, "--workspace", workspace.Root];
        var code = await app.RunAsync(full, CancellationToken.None);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static Task<CliResult> RunAsync(TempWorkspace workspace, params string[] args) =>
        RunAsync(workspace, null, null, null, args);
}
