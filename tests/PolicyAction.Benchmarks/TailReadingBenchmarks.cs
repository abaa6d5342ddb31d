using BenchmarkDotNet.Attributes;
using PolicyAction.Gates;
using PolicyAction.State;

namespace PolicyAction.Benchmarks;

/// <summary>
/// Reading the gate window from the end of the audit log: the cost should stay flat as the history grows,
/// because only the last 24 h (plus the ordering slack) is read. Compare the Records rows.
/// </summary>
[MemoryDiagnoser]
public class TailReadingBenchmarks
{
    private string _folder = null!;
    private AuditLog _log = null!;

    [Params(100, 100_000)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "policy-response-bench", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(_folder, "policy_response_log.jsonl");
        AuditLogGenerator.Write(path, Records, DateTimeOffset.UtcNow);
        _log = new AuditLog(path);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark]
    public int ReadGateWindow() => _log.ReadSince(DateTimeOffset.UtcNow - GateEvaluator.Window).Records.Count;

    /// <summary>What the gates read: 7 days, building only the records they look at.</summary>
    [Benchmark]
    public int ReadGateRecords() => _log.ReadSince(DateTimeOffset.UtcNow - InterruptedResponses.LookBack, GateInputs.Needs).Records.Count;

    /// <summary>The same 7 days, every record built: what the filter saves.</summary>
    [Benchmark]
    public int ReadWeekWhole() => _log.ReadSince(DateTimeOffset.UtcNow - InterruptedResponses.LookBack).Records.Count;

    [Benchmark]
    public long ChainHead() => _log.Head().Seq;
}
