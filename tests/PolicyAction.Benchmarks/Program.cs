using System.Globalization;
using BenchmarkDotNet.Running;
using PolicyAction.Benchmarks;

// generate-log PATH COUNT [--segmented]: a valid, chained audit log for tests/perf/run.sh (one file, or in segments). Anything else: BenchmarkDotNet's switcher.
if (args is ["generate-log", var path, var count, .. var rest])
{
    var bytes = AuditLogGenerator.Write(path, int.Parse(count, CultureInfo.InvariantCulture), DateTimeOffset.UtcNow, rest is ["--segmented"] ? PolicyAction.State.AuditSegments.SealAt : null);
    Console.WriteLine($"{path}: {count} records, {bytes / 1_000_000.0:0.0} MB");
    return 0;
}

// history-run BINARY EXAMPLE_WORKSPACE PAYLOAD RUNS LENGTH...: an applied, committed run over each history length.
if (args is ["history-run", var binary, var example, var payload, var runs, .. var lengths])
{
    return await HistoryRun.RunAsync(binary, example, payload, int.Parse(runs, CultureInfo.InvariantCulture), [.. lengths.Select(l => int.Parse(l, CultureInfo.InvariantCulture))]);
}

// evaluate-run BINARY EXAMPLE_WORKSPACE RUNS: one scheduled evaluation with five signals, committed, against the API double.
if (args is ["evaluate-run", var evaluated, var workspace, var evaluations])
{
    return await EvaluateRun.RunAsync(evaluated, workspace, int.Parse(evaluations, CultureInfo.InvariantCulture));
}

BenchmarkSwitcher.FromAssembly(typeof(AuditLogGenerator).Assembly).Run(args);
return 0;
