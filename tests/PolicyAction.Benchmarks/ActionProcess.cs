using System.Diagnostics;
using System.Globalization;

namespace PolicyAction.Benchmarks;

/// <summary>
/// One step of the action, as the runner starts it: the given binary with a clean environment (the job's GitHub
/// context and the step's inputs), under /usr/bin/time for its peak RSS, timed from start to exit.
/// </summary>
internal static class ActionProcess
{
    public const string Token = "ghs_FAKE0123456789abcdefTOKEN";

    public sealed record Result(int ExitCode, string Stdout, string Stderr, string Outputs, TimeSpan Wall, long PeakKb)
    {
        /// <summary>An output's value from the GITHUB_OUTPUT file (heredoc form: <c>name&lt;&lt;DELIMITER</c>, the lines, the delimiter).</summary>
        public string Output(string name)
        {
            var lines = Outputs.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].StartsWith(name + "<<", StringComparison.Ordinal))
                {
                    var delimiter = lines[i][(name.Length + 2)..];
                    return string.Join('\n', lines.Skip(i + 1).TakeWhile(l => l != delimiter));
                }
            }

            return string.Empty;
        }
    }

    /// <param name="runner">A folder for the runner's files (the event, GITHUB_OUTPUT, the step summary).</param>
    /// <param name="inputs">The step's inputs, by name (without INPUT_); the token is always given.</param>
    public static async Task<Result> RunAsync(string binary, string workspace, string runner, string home, Uri apiUrl, long runId, string eventName, string eventPayload, IReadOnlyDictionary<string, string> inputs)
    {
        Directory.CreateDirectory(runner);
        var eventPath = Path.Combine(runner, "event.json");
        await File.WriteAllTextAsync(eventPath, eventPayload);
        var output = Path.Combine(runner, "github_output");
        await File.WriteAllTextAsync(output, string.Empty);

        var start = new ProcessStartInfo("/usr/bin/time", ["-f", "peak-rss-kb %M", binary, "action"])
        {
            WorkingDirectory = workspace,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Clear();
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
            ["HOME"] = home,
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_WORKSPACE"] = workspace,
            ["GITHUB_REPOSITORY"] = "octo-org/octo-repo",
            ["GITHUB_SERVER_URL"] = "https://github.com",
            ["GITHUB_API_URL"] = apiUrl.ToString(),
            ["GITHUB_REF"] = "refs/heads/main",
            ["GITHUB_RUN_ID"] = runId.ToString(CultureInfo.InvariantCulture),
            ["GITHUB_RUN_ATTEMPT"] = "1",
            ["GITHUB_ACTOR"] = "octocat",
            ["GITHUB_EVENT_NAME"] = eventName,
            ["GITHUB_EVENT_PATH"] = eventPath,
            ["GITHUB_OUTPUT"] = output,
            ["GITHUB_STEP_SUMMARY"] = Path.Combine(runner, "step_summary"),
            ["INPUT_GITHUB-TOKEN"] = Token,
            ["INPUT_CONFIG"] = ".github/policy-response.yml",
            ["POLICY_GITHUB_WRITE_INTERVAL"] = "0s",
        };
        foreach (var (name, value) in inputs)
        {
            environment[$"INPUT_{name.ToUpperInvariant()}"] = value;
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        // The double shares this process: its setup's garbage is collected now, not while the run is being measured.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        clock.Stop();
        var error = await stderr;
        var peak = error.Split('\n').LastOrDefault(l => l.StartsWith("peak-rss-kb ", StringComparison.Ordinal)) is { } line
            ? long.Parse(line["peak-rss-kb ".Length..], CultureInfo.InvariantCulture)
            : 0;
        return new Result(process.ExitCode, await stdout, error, await File.ReadAllTextAsync(output), clock.Elapsed, peak);
    }
}
