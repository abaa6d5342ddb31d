using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using PolicyAction.GitHubEmulator;
using PolicyAction.State;

namespace PolicyAction.Benchmarks;

/// <summary>
/// Whether a run's cost grows with the history: the action (a given binary, run as the runner runs it) applies and
/// commits a response against the API double, over audit logs of different lengths, each in segments as the tool
/// keeps it. For each length: the median wall time of several runs, the largest peak RSS (from /usr/bin/time), and
/// the request bytes the double received (request lines and bodies). Used by tests/perf/run.sh, which prints the ratios.
/// With HISTORY_TRACE set, each run's exchanges are printed with their times (milliseconds from the start), to see
/// where a run spends them.
/// </summary>
public static class HistoryRun
{
    /// <summary>Prints one JSON object per length: records, segments, log bytes, wall medians (ms), peak RSS (KB), request bytes.</summary>
    public static async Task<int> RunAsync(string binary, string exampleWorkspace, string payloadPath, int runs, IReadOnlyList<int> lengths)
    {
        var scratch = Path.Combine(Path.GetTempPath(), "policy-response-history-run", Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var length in lengths)
            {
                var master = Path.Combine(scratch, $"master-{length}");
                var files = Master(exampleWorkspace, master, length);
                var segments = files.Keys.Count(AuditSegments.IsSegment);
                var logBytes = files.Where(f => AuditSegments.IsSegment(f.Key)).Sum(f => (long)f.Value.Length);
                var walls = new List<double>();
                long peak = 0;
                long requestBytes = 0;
                int requests = 0;
                // The generated history written back to disk before measuring, as a checkout's is long before a run's
                // step starts; then one run, not counted: the binary and the master copy into the page cache, as on a warm runner.
                using (var sync = Process.Start("sync"))
                {
                    await sync.WaitForExitAsync();
                }

                await OnceAsync(binary, files, master, Path.Combine(scratch, $"warmup-{length}"), payloadPath, 6_999_999);
                for (var run = 0; run < runs; run++)
                {
                    var measured = await OnceAsync(binary, files, master, Path.Combine(scratch, $"run-{length}-{run}"), payloadPath, 7_000_000 + run);
                    walls.Add(measured.WallMs);
                    peak = Math.Max(peak, measured.PeakKb);
                    requestBytes = measured.RequestBytes;
                    requests = measured.Requests;
                }

                walls.Sort();
                Console.WriteLine(new JsonObject
                {
                    ["records"] = length,
                    ["segments"] = segments,
                    ["log_bytes"] = logBytes,
                    ["wall_ms_median"] = walls[walls.Count / 2],
                    ["wall_ms"] = new JsonArray([.. walls.Select(w => (JsonNode)w)]),
                    ["peak_rss_kb"] = peak,
                    ["requests"] = requests,
                    ["request_bytes"] = requestBytes,
                }.ToJsonString());
                Directory.Delete(master, recursive: true);
            }

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

    /// <summary>The repository's files: the example workspace, its log replaced by <paramref name="length"/> records in segments.</summary>
    private static Dictionary<string, byte[]> Master(string exampleWorkspace, string master, int length)
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

        var first = Path.Combine(master, AuditSegments.FirstPath);
        AuditLogGenerator.Write(first, length, DateTimeOffset.UtcNow.AddMinutes(-10), AuditSegments.SealAt);
        foreach (var segment in AuditSegments.List(first))
        {
            files[Path.GetRelativePath(master, segment.Path).Replace('\\', '/')] = File.ReadAllBytes(segment.Path);
        }

        return files;
    }

    private sealed record Measured(double WallMs, long PeakKb, long RequestBytes, int Requests);

    private static async Task<Measured> OnceAsync(string binary, Dictionary<string, byte[]> files, string master, string root, string payloadPath, long runId)
    {
        await using var github = await GitHubEmulator.GitHubEmulator.StartAsync(new DoubleOptions { Files = files, Token = ActionProcess.Token });
        var workspace = Path.Combine(root, "workspace");

        // The checkout: sealed segments (never written again) linked from the master copy, so a run does not start
        // with hundreds of megabytes still being written back to disk; the open segment and the rest copied.
        var newest = files.Keys.Where(AuditSegments.IsSegment).Max(p => AuditSegments.TryNumber(p, out var n) ? n : 0);
        var linked = new HashSet<string>(StringComparer.Ordinal);
        if (Directory.Exists(Path.Combine(master, AuditSegments.FolderPath)))
        {
            Directory.CreateDirectory(Path.Combine(workspace, "state"));
            using var link = Process.Start(new ProcessStartInfo("cp", ["-al", Path.Combine(master, AuditSegments.FolderPath), Path.Combine(workspace, "state")]))!;
            await link.WaitForExitAsync();
            if (link.ExitCode != 0)
            {
                throw new InvalidOperationException($"cp -al exited {link.ExitCode}");
            }

            linked.UnionWith(files.Keys.Where(p => AuditSegments.TryNumber(p, out var n) && n >= 2 && n < newest - 1));
        }

        foreach (var (path, content) in files.Where(f => !linked.Contains(f.Key)))
        {
            var full = Path.Combine(workspace, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.Delete(full);
            await File.WriteAllBytesAsync(full, content);
        }

        var payload = JsonNode.Parse(await File.ReadAllTextAsync(payloadPath))!;
        payload["workflow_run"]!["conclusion"] = "success";
        payload["workflow_run"]!["head_repository"]!["full_name"] = "octo-org/octo-repo";
        payload["workflow_run"]!["id"] = runId;

        // The orchestration run that triggered this one finished moments ago, as in the daily workflow.
        payload["workflow_run"]!["run_started_at"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        payload["repository"]!["default_branch"] = "main";
        var result = await ActionProcess.RunAsync(
            binary,
            workspace,
            Path.Combine(root, "runner"),
            root,
            github.BaseAddress,
            runId,
            "workflow_run",
            payload.ToJsonString(),
            new Dictionary<string, string> { ["command"] = "respond", ["auto-apply"] = "true", ["commit-artifacts"] = "apply-only" });
        if (result.ExitCode != 0 || result.Output("mode") != "apply" || result.Output("commit-sha").Length == 0)
        {
            throw new InvalidOperationException($"the run did not apply and commit (exit {result.ExitCode}):\n{result.Stdout}\n{result.Stderr}");
        }

        if (Environment.GetEnvironmentVariable("HISTORY_TRACE") is not null)
        {
            var t0 = DateTimeOffset.UtcNow - result.Wall;
            foreach (var e in github.Exchanges)
            {
                Console.Error.WriteLine($"{(e.At - t0).TotalMilliseconds,8:0.0} {e.Method} {e.Path} {e.Status}");
            }

            Console.Error.WriteLine($"{result.Wall.TotalMilliseconds,8:0.0} exit");
        }

        var exchanges = github.Exchanges;
        var bytes = exchanges.Sum(e => (long)Encoding.UTF8.GetByteCount($"{e.Method} {e.Path} HTTP/1.1\r\n") + Encoding.UTF8.GetByteCount(e.RequestBody ?? string.Empty));
        Directory.Delete(root, recursive: true);
        return new Measured(result.Wall.TotalMilliseconds, result.PeakKb, bytes, exchanges.Count);
    }
}
