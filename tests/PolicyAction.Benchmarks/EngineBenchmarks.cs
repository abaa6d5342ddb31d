using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Time.Testing;
using PolicyAction.Configuration;
using PolicyAction.Gates;
using PolicyAction.Responses;
using PolicyAction.State;

namespace PolicyAction.Benchmarks;

/// <summary>The in-memory steps of every run: parse the configuration and records, evaluate the gates, digest the plan.</summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private static readonly string ExampleConfig = File.ReadAllText(Path.Combine(RepositoryRoot(), "examples", "workspace", ".github", "policy-response.yml"));

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private byte[] _windowBytes = null!;
    private IReadOnlyList<AuditRecord> _window = null!;
    private PolicyConfig _config = null!;
    private GateEvaluation _gates = null!;

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(Path.GetTempPath(), "policy-response-bench", Guid.NewGuid().ToString("N"), "log.jsonl");
        AuditLogGenerator.Write(path, 300, _clock.GetUtcNow());
        _windowBytes = File.ReadAllBytes(path);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        _window = AuditLog.Parse(new MemoryStream(_windowBytes), "log").Records;
        _config = ConfigLoader.Parse(ExampleConfig, "policy-response.yml");
        _gates = Evaluate();
    }

    [Benchmark]
    public int ParseConfigYaml() => ConfigLoader.Parse(ExampleConfig, "policy-response.yml").Levels.Count;

    [Benchmark]
    public int ParseDaysOfRecordsJson() => AuditLog.Parse(new MemoryStream(_windowBytes), "log").Records.Count;

    [Benchmark]
    public bool EvaluateGates() => Evaluate().Passed;

    [Benchmark]
    public string DigestPlan() => PlanDigest.Compute(PolicyLevel.Red, _config.ActionsFor(PolicyLevel.Red), _gates.Gates, null, null);

    private GateEvaluation Evaluate() =>
        new GateEvaluator().Evaluate(new GateInputs(_clock.GetUtcNow(), TrustLockState.Default, SafetyBrakeState.Default, _window, _config.Gates), new GateRequest(Apply: false));

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "PolicyAction.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("run from inside the repository");
    }
}
