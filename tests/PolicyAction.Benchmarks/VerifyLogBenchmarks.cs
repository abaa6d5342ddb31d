using BenchmarkDotNet.Attributes;
using PolicyAction.State;

namespace PolicyAction.Benchmarks;

/// <summary>
/// verify-log's whole-file pass over 100,000 records (about 40 MB), and its parts: splitting lines, reading the
/// chain fields, hashing. Divide the log's size by the time for MB/s.
/// </summary>
[MemoryDiagnoser]
public class VerifyLogBenchmarks
{
    private byte[] _log = null!;

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(Path.GetTempPath(), "policy-response-bench", Guid.NewGuid().ToString("N"), "log.jsonl");
        AuditLogGenerator.Write(path, 100_000, DateTimeOffset.UtcNow);
        _log = File.ReadAllBytes(path);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public long Verify() => AuditLogVerifier.Verify(new MemoryStream(_log), "log").Records;

    [Benchmark]
    public int SplitLines()
    {
        var reader = new ForwardLineReader(new MemoryStream(_log));
        var count = 0;
        while (reader.TryReadLine(out _, out _))
        {
            count++;
        }

        return count;
    }

    [Benchmark]
    public long ReadChainFields()
    {
        var reader = new ForwardLineReader(new MemoryStream(_log));
        long sum = 0;
        while (reader.TryReadLine(out var line, out _))
        {
            if (ChainFields.TryRead(line, out var fields))
            {
                sum += fields.Seq ?? 0;
            }
        }

        return sum;
    }

    [Benchmark]
    public int HashLines()
    {
        var reader = new ForwardLineReader(new MemoryStream(_log));
        Span<byte> digest = stackalloc byte[32];
        var x = 0;
        while (reader.TryReadLine(out var line, out _))
        {
            System.Security.Cryptography.SHA256.HashData(line, digest);
            x ^= digest[0];
        }

        return x;
    }

    [Benchmark]
    public int HashLinesIncrementally()
    {
        var reader = new ForwardLineReader(new MemoryStream(_log));
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        Span<byte> digest = stackalloc byte[32];
        var x = 0;
        while (reader.TryReadLine(out var line, out _))
        {
            sha.AppendData(line);
            sha.GetHashAndReset(digest);
            x ^= digest[0];
        }

        return x;
    }
}
