using System.Globalization;
using BenchmarkDotNet.Running;
using PolicyAction.Benchmarks;

// generate-log PATH COUNT: a valid, chained audit log for tests/perf/run.sh. Anything else: BenchmarkDotNet's switcher.
if (args is ["generate-log", var path, var count])
{
    var bytes = AuditLogGenerator.Write(path, int.Parse(count, CultureInfo.InvariantCulture), DateTimeOffset.UtcNow);
    Console.WriteLine($"{path}: {count} records, {bytes / 1_000_000.0:0.0} MB");
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(AuditLogGenerator).Assembly).Run(args);
return 0;
