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
        await using var github = await GitHubEmulator.GitHubEmulator.StartAsync(new DoubleOptions { Files = files, Token = ActionProcess.Token });

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

        var result = await ActionProcess.RunAsync(
            binary,
            workspace,
            Path.Combine(root, "runner"),
            root,
            github.BaseAddress,
            runId,
            "schedule",
            """{"schedule": "45 4 * * *", "repository": {"default_branch": "main"}}""",
            new Dictionary<string, string> { ["command"] = "evaluate", ["commit-artifacts"] = "true" });
        var level = result.Output("level");
        if (result.ExitCode != 0 || level.Length == 0)
        {
            throw new InvalidOperationException($"the evaluation did not succeed with a level (exit {result.ExitCode}):\n{result.Stdout}\n{result.Stderr}");
        }

        if (github.Violations.Count > 0)
        {
            throw new InvalidOperationException($"the double saw contract violations:\n{string.Join('\n', github.Violations)}");
        }

        var exchanges = github.Exchanges;
        if (Environment.GetEnvironmentVariable("EVALUATE_TRACE") is not null)
        {
            var t0 = DateTimeOffset.UtcNow - result.Wall;
            foreach (var e in exchanges)
            {
                Console.Error.WriteLine($"{(e.At - t0).TotalMilliseconds,8:0.0} {e.Method} {e.Path} {e.Status}");
            }

            Console.Error.WriteLine($"{result.Wall.TotalMilliseconds,8:0.0} exit, level {level}");
        }

        Directory.Delete(root, recursive: true);
        return new Measured(result.Wall.TotalMilliseconds, result.PeakKb, exchanges, level);
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
}
