using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.State;

public sealed class AtomicFileTests
{
    /// <summary>
    /// Another process (a second run, an operator's <c>cat</c>, the commit step) may read a state file at any moment.
    /// Truncate-then-write would let it see an empty or half-written file; rename-over must not.
    /// </summary>
    [Fact]
    public async Task A_reader_racing_the_writer_sees_the_old_file_or_the_new_one_never_a_torn_one()
    {
        using var workspace = new TempWorkspace();
        var path = workspace.PathOf("forensics/state.json");
        byte[][] versions = [Filled((byte)'a', 300_000), Filled((byte)'b', 500_000)];
        AtomicFile.WriteAllBytes(path, versions[0]);

        using var stop = new CancellationTokenSource();
        var torn = 0;
        var reads = 0;
        var reader = Task.Factory.StartNew(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var seen = File.ReadAllBytes(path);
                    if (!seen.AsSpan().SequenceEqual(versions[0]) && !seen.AsSpan().SequenceEqual(versions[1]))
                    {
                        torn++;
                    }

                    Interlocked.Increment(ref reads);
                }
            },
            TaskCreationOptions.LongRunning);

        // Keep replacing until the reader has had plenty of chances to land mid-write (bounded, should it stall).
        var writes = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((writes < 200 || Volatile.Read(ref reads) < 500) && DateTime.UtcNow < deadline)
        {
            AtomicFile.WriteAllBytes(path, versions[++writes % 2]);
        }

        if (writes % 2 == 1)
        {
            AtomicFile.WriteAllBytes(path, versions[0]);
        }

        await stop.CancelAsync();
        await reader;

        Assert.True(reads >= 500, $"the reader ran only {reads} times");
        Assert.Equal(0, torn);
        Assert.Equal(versions[0], File.ReadAllBytes(path));
        Assert.Equal(["state.json"], Directory.GetFiles(workspace.PathOf("forensics")).Select(Path.GetFileName));
    }

    [Fact]
    public void The_mode_is_set_before_the_file_appears_under_its_name()
    {
        using var workspace = new TempWorkspace();
        var path = workspace.PathOf("state/secret.json");

        AtomicFile.WriteAllBytes(path, "{}\n"u8, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("{}\n"u8.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void A_replacement_that_cannot_land_leaves_no_temp_file_behind()
    {
        using var workspace = new TempWorkspace();
        var path = workspace.PathOf("state/occupied");
        Directory.CreateDirectory(path);

        Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllBytes(path, "{}\n"u8));

        Assert.Equal(["occupied"], Directory.GetFileSystemEntries(workspace.PathOf("state")).Select(Path.GetFileName));
    }

    private static byte[] Filled(byte value, int length)
    {
        var bytes = new byte[length];
        Array.Fill(bytes, value);
        return bytes;
    }
}
