using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using PolicyAction.GitHubEmulator;

namespace PolicyAction.Benchmarks;

/// <summary>
/// One evaluation's cost, the figure issue 20 asks for: the action (a given binary, run as the runner runs it) runs
/// <c>command: evaluate</c> on the schedule, over the example workspace with five signals (two commands, a file, two
/// GitHub reads), and commits the level against the API double. Reports the median wall time of several runs, the
/// largest peak RSS (from /usr/bin/time), and the double's exchanges by kind: the signals' reads, the commit's git-data
/// requests, and the rest by path. With EVALUATE_TRACE set, each run's exchanges are printed with their times.
/// Used by tests/perf/run.sh.
/// </summary>
public static class EvaluateRun
{
    private const string Token = "ghs_FAKE0123456789abcdefTOKEN";

    private const string MetricPath = "metrics/error_budget.json";

    /// <summary>The five signals appended to the example configuration (docs/orchestrator.md).</summary>
    private const string Signals = """

        signals:
          - id: integrity_manifest
            description: Files match the integrity manifest
            command:
              run: ["/usr/bin/sha256sum", "--quiet", "-c", "manifest.sha256"]
            red: "!= 0"
          - id: anchor_chain_present
            description: The anchor chain exists and is not empty
            command:
              run: ["/usr/bin/test", "-s", "anchors/anchor_chain.json"]
            yellow: "!= 0"
          - id: error_budget
            description: Error-budget burn rate, written by the team's SLO job
            file:
              path: metrics/error_budget.json
              pointer: /burn_rate
            yellow: "> 1"
            red: "> 2"
          - id: failed_ci
            github:
              query: workflow_runs
              workflow: ci.yml
            yellow: ">= 1"
            red: "> 3"
          - id: dependabot_high
            github:
              query: dependabot_alerts
              min_severity: high
            yellow: ">= 1"
            red: ">= 5"
        """;

    /// <summary>Prints one JSON object: wall medians (ms), peak RSS (KB), requests in total and by kind, the level.</summary>
    public static async Task<int> RunAsync(string binary, string exampleWorkspace, int runs)
    {
        var scratch = Path.Combine(Path.GetTempPath(), "policy-response-evaluate-run", Guid.NewGuid().ToString("N"));
        try
        {
            var files = Files(exampleWorkspace);

            // One run, not counted: the binary and the workspace's files into the page cache, as on a warm runner.
            await OnceAsync(binary, files, Path.Combine(scratch, "warmup"), 8_999_999);
            var measured = new List<Measured>();
            for (var run = 0; run < runs; run++)
            {
                measured.Add(await OnceAsync(binary, files, Path.Combine(scratch, $"run-{run}"), 9_000_000 + run));
            }

            var walls = measured.Select(m => m.WallMs).Order().ToList();
            var last = measured[^1];
            var byKind = new JsonObject();
            foreach (var group in last.Exchanges.GroupBy(e => Kind(e.Path)).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var paths = new JsonObject();
                foreach (var path in group.GroupBy(e => $"{e.Method} {Template(e.Path)}").OrderBy(g => g.Key, StringComparer.Ordinal))
                {
                    paths[path.Key] = path.Count();
                }

                byKind[group.Key] = new JsonObject { ["count"] = group.Count(), ["paths"] = paths };
            }

            Console.WriteLine(new JsonObject
            {
                ["signals"] = 5,
                ["wall_ms_median"] = walls[walls.Count / 2],
                ["wall_ms"] = new JsonArray([.. walls.Select(w => (JsonNode)Math.Round(w, 1))]),
                ["peak_rss_kb"] = measured.Max(m => m.PeakKb),
                ["requests"] = last.Exchanges.Count,
                ["requests_by_kind"] = byKind,
                ["level"] = last.Level,
            }.ToJsonString());
            return 0;
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary>The repository's files: the example workspace, its configuration with the five signals, the metric file, no level yet.</summary>
    private static Dictionary<string, byte[]> Files(string exampleWorkspace)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(exampleWorkspace, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(exampleWorkspace, file).Replace('\\', '/');
            if (!relative.StartsWith("reports", StringComparison.Ordinal) && !relative.Contains("policy_response_", StringComparison.Ordinal) && !relative.EndsWith(".lock", StringComparison.Ordinal))
            {
                files[relative] = File.ReadAllBytes(file);
            }
        }

        // A first evaluation: no level recorded yet, so the level changes and its file is committed.
        files.Remove("state/policy_state.json");
        files[".github/policy-response.yml"] = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(files[".github/policy-response.yml"]).TrimEnd('\n') + "\n" + Signals);
        files[MetricPath] = Encoding.UTF8.GetBytes("""{"burn_rate": 0.4}""");
        return files;
    }

    private sealed record Measured(double WallMs, long PeakKb, IReadOnlyList<Exchange> Exchanges, string Level);

    private static async Task<Measured> OnceAsync(string binary, Dictionary<string, byte[]> files, string root, long runId)
    {
        await using var github = await GitHubEmulator.GitHubEmulator.StartAsync(new DoubleOptions { Files = files, Token = Token });

        // CI today: four passing runs and one failed (failed_ci: YELLOW); Dependabot: one critical and one high alert
        // open (dependabot_high: 2, YELLOW), a low one and a fixed high one that do not count.
        var now = DateTimeOffset.UtcNow;
        foreach (var hours in new[] { 20, 14, 9, 5 })
        {
            github.AddWorkflowRun("ci.yml", now.AddHours(-hours));
        }

        github.AddWorkflowRun("ci.yml", now.AddHours(-2), conclusion: "failure");
        github.AddDependabotAlert("critical");
        github.AddDependabotAlert("high");
        github.AddDependabotAlert("low");
        github.AddDependabotAlert("high", state: "fixed");

        var workspace = Path.Combine(root, "workspace");
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(workspace, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllBytesAsync(full, content);
        }

        var runner = Path.Combine(root, "runner");
        Directory.CreateDirectory(runner);
        var eventPath = Path.Combine(runner, "event.json");
        await File.WriteAllTextAsync(eventPath, """{"schedule": "45 4 * * *", "repository": {"default_branch": "main"}}""");
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
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
            ["HOME"] = root,
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_WORKSPACE"] = workspace,
            ["GITHUB_REPOSITORY"] = "octo-org/octo-repo",
            ["GITHUB_SERVER_URL"] = "https://github.com",
            ["GITHUB_API_URL"] = github.BaseAddress.ToString(),
            ["GITHUB_REF"] = "refs/heads/main",
            ["GITHUB_RUN_ID"] = runId.ToString(CultureInfo.InvariantCulture),
            ["GITHUB_RUN_ATTEMPT"] = "1",
            ["GITHUB_ACTOR"] = "octocat",
            ["GITHUB_EVENT_NAME"] = "schedule",
            ["GITHUB_EVENT_PATH"] = eventPath,
            ["GITHUB_OUTPUT"] = output,
            ["GITHUB_STEP_SUMMARY"] = Path.Combine(runner, "step_summary"),
            ["INPUT_GITHUB-TOKEN"] = Token,
            ["INPUT_COMMAND"] = "evaluate",
            ["INPUT_CONFIG"] = ".github/policy-response.yml",
            ["INPUT_COMMIT-ARTIFACTS"] = "true",
            ["POLICY_GITHUB_WRITE_INTERVAL"] = "0s",
        })
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
        var outputs = await File.ReadAllTextAsync(output);
        var level = OutputValue(outputs, "level");
        if (process.ExitCode != 0 || level.Length == 0)
        {
            throw new InvalidOperationException($"the evaluation did not succeed with a level (exit {process.ExitCode}):\n{await stdout}\n{error}");
        }

        if (github.Violations.Count > 0)
        {
            throw new InvalidOperationException($"the double saw contract violations:\n{string.Join('\n', github.Violations)}");
        }

        var exchanges = github.Exchanges;
        if (Environment.GetEnvironmentVariable("EVALUATE_TRACE") is not null)
        {
            var t0 = DateTimeOffset.UtcNow - clock.Elapsed;
            foreach (var e in exchanges)
            {
                Console.Error.WriteLine($"{(e.At - t0).TotalMilliseconds,8:0.0} {e.Method} {e.Path} {e.Status}");
            }

            Console.Error.WriteLine($"{clock.Elapsed.TotalMilliseconds,8:0.0} exit, level {level}");
        }

        var peak = long.Parse(error.Split('\n').Last(l => l.StartsWith("peak-rss-kb ", StringComparison.Ordinal))["peak-rss-kb ".Length..], CultureInfo.InvariantCulture);
        Directory.Delete(root, recursive: true);
        return new Measured(clock.Elapsed.TotalMilliseconds, peak, exchanges, level);
    }

    /// <summary>signal (the GitHub signals' reads), commit (git data: blobs, trees, commits, refs), or other.</summary>
    private static string Kind(string path)
    {
        var bare = path.Split('?')[0];
        if (bare.Contains("/actions/workflows/", StringComparison.Ordinal) || bare.EndsWith("/dependabot/alerts", StringComparison.Ordinal)
            || bare.EndsWith("/code-scanning/alerts", StringComparison.Ordinal) || bare.EndsWith("/secret-scanning/alerts", StringComparison.Ordinal)
            || bare.EndsWith("/check-runs", StringComparison.Ordinal) || bare.EndsWith("/status", StringComparison.Ordinal))
        {
            return "signal";
        }

        return bare.Contains("/git/", StringComparison.Ordinal) ? "commit" : "other";
    }

    /// <summary>A path without its query, with object SHAs and numbers folded, so like requests group together.</summary>
    private static string Template(string path)
    {
        var segments = path.Split('?')[0].Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i].Length == 40 && segments[i].All(char.IsAsciiHexDigitLower))
            {
                segments[i] = "{sha}";
            }
            else if (segments[i].Length > 0 && segments[i].All(char.IsAsciiDigit))
            {
                segments[i] = "{n}";
            }
        }

        return string.Join('/', segments);
    }

    /// <summary>An output's value from a GITHUB_OUTPUT file (heredoc form: <c>name&lt;&lt;DELIMITER</c>, the lines, the delimiter).</summary>
    private static string OutputValue(string outputs, string name)
    {
        var lines = outputs.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith(name + "<<", StringComparison.Ordinal))
            {
                var delimiter = lines[i][(name.Length + 2)..];
                var value = new List<string>();
                for (var j = i + 1; j < lines.Length && lines[j] != delimiter; j++)
                {
                    value.Add(lines[j]);
                }

                return string.Join('\n', value);
            }
        }

        return string.Empty;
    }
}
