using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.State;

/// <summary>
/// The tool's files are opened beneath the workspace through directory handles: a link on the way or at the name
/// is refused (both with openat2 and with the component-by-component fallback), a FIFO or a device is refused without
/// waiting, reads are bounded, and a replacement or a removal changes the name inside, never what a link points to.
/// </summary>
public sealed class BeneathWorkspaceTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();
    private readonly TempWorkspace _outside = new TempWorkspace().Write("inner/secret.txt", "secret\n");

    public void Dispose()
    {
        BeneathWorkspace.UseOpenat2 = true;
        _workspace.Dispose();
        _outside.Dispose();
    }

    private const string Link = "is a symbolic link; the tool's files are never opened through links";
    private const string NotRegular = "is not a regular file (a FIFO, a device or a socket); the tool opens only regular files";

    private string Root => _workspace.Root;

    public static TheoryData<bool> Both => new() { true, false };

    private void LinkFolder(string relative)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_workspace.PathOf(relative))!);
        Directory.CreateSymbolicLink(_workspace.PathOf(relative), _outside.PathOf("inner"));
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void A_folder_on_the_way_that_is_a_link_is_refused_for_reading_writing_and_removing(bool openat2)
    {
        BeneathWorkspace.UseOpenat2 = openat2;
        LinkFolder("a/b");

        var read = Assert.Throws<StateFileException>(() => BeneathWorkspace.Read(Root, "a/b/secret.txt", 1024, "a/b/secret.txt"));
        var write = Assert.Throws<StateFileException>(() => BeneathWorkspace.WriteAtomic(Root, _workspace.PathOf("a/b/new.txt"), "x"u8, null, "a/b/new.txt"));
        var append = Assert.Throws<StateFileException>(() => BeneathWorkspace.OpenWrite(Root, "a/b/secret.txt", "a/b/secret.txt").Dispose());
        var remove = Assert.Throws<StateFileException>(() => BeneathWorkspace.Delete(Root, "a/b/secret.txt", "a/b/secret.txt"));

        Assert.All([read, write, append, remove], e => Assert.Equal("passes through the symbolic link 'a/b'; the tool's files are never opened through links", e.Problem));
        Assert.Equal(["secret.txt"], Directory.GetFileSystemEntries(_outside.PathOf("inner")).Select(Path.GetFileName));
        Assert.Equal("secret\n", _outside.Read("inner/secret.txt"));
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void A_file_that_is_a_link_is_not_read_or_appended_to_and_a_replacement_replaces_the_link_itself(bool openat2)
    {
        BeneathWorkspace.UseOpenat2 = openat2;
        Directory.CreateDirectory(_workspace.PathOf("state"));
        File.CreateSymbolicLink(_workspace.PathOf("state/log.jsonl"), _outside.PathOf("inner/secret.txt"));

        var read = Assert.Throws<StateFileException>(() => BeneathWorkspace.Read(Root, "state/log.jsonl", 1024, "state/log.jsonl"));
        var append = Assert.Throws<StateFileException>(() => BeneathWorkspace.OpenWrite(Root, "state/log.jsonl", "state/log.jsonl").Dispose());
        Assert.Equal(Link, read.Problem);
        Assert.Equal(Link, append.Problem);

        BeneathWorkspace.WriteAtomic(Root, "state/log.jsonl", "mine\n"u8, null, "state/log.jsonl");

        Assert.Null(new FileInfo(_workspace.PathOf("state/log.jsonl")).LinkTarget);
        Assert.Equal("mine\n", _workspace.Read("state/log.jsonl"));
        Assert.Equal("secret\n", _outside.Read("inner/secret.txt"));
    }

    [Fact]
    public async Task A_fifo_is_refused_at_once_for_reading_and_for_writing()
    {
        Directory.CreateDirectory(_workspace.PathOf("state"));
        Assert.Equal(0, (await ExternalProcess.RunAsync("mkfifo", [_workspace.PathOf("state/pipe.json")], Root)).ExitCode);

        // Without a writer (or a reader) on the other end, a plain open() of either kind waits forever.
        var read = await Task.Run(() => Assert.Throws<StateFileException>(() => BeneathWorkspace.Read(Root, "state/pipe.json", 1024, "pipe"))).WaitAsync(TimeSpan.FromSeconds(10));
        var write = await Task.Run(() => Assert.Throws<StateFileException>(() => BeneathWorkspace.OpenWrite(Root, "state/pipe.json", "pipe").Dispose())).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(NotRegular, read.Problem);
        Assert.Equal(NotRegular, write.Problem);
    }

    [Fact]
    public void A_file_larger_than_the_bound_is_refused_before_it_is_read()
    {
        _workspace.WriteBytes("state/big.json", new byte[4097]);

        var error = Assert.Throws<StateFileException>(() => BeneathWorkspace.Read(Root, "state/big.json", 4096, "big"));

        Assert.Equal("is 4097 bytes, larger than the 4096-byte limit for this file", error.Problem);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void Files_are_read_written_appended_and_removed_with_their_folders_created(bool openat2)
    {
        BeneathWorkspace.UseOpenat2 = openat2;

        BeneathWorkspace.WriteAtomic(Root, _workspace.PathOf("x/y/z.json"), "{}\n"u8, UnixFileMode.UserRead | UnixFileMode.UserWrite, "z");
        using (var stream = BeneathWorkspace.OpenWrite(Root, "x/y/log.jsonl", "log"))
        {
            stream.Seek(0, SeekOrigin.End);
            stream.Write("a\n"u8);
        }

        var content = BeneathWorkspace.Read(Root, "x/y/z.json", 1024, "z")!;
        Assert.Equal("{}\n"u8.ToArray(), content.Bytes);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, content.Mode);
        Assert.Equal("a\n", _workspace.Read("x/y/log.jsonl"));
        Assert.Null(BeneathWorkspace.Read(Root, "x/missing/z.json", 1024, "z"));
        Assert.Equal(EntryKind.Missing, BeneathWorkspace.Stat(Root, "x/missing/z.json", "z").Kind);

        BeneathWorkspace.Delete(Root, "x/y/z.json", "z");

        Assert.False(_workspace.Exists("x/y/z.json"));
        Assert.Equal(["log.jsonl"], Directory.GetFileSystemEntries(_workspace.PathOf("x/y")).Select(Path.GetFileName));
    }

    [Fact]
    public void A_path_outside_the_root_is_refused()
    {
        var error = Assert.Throws<StateFileException>(() => BeneathWorkspace.Read(Root, _outside.PathOf("inner/secret.txt"), 1024, "secret"));

        Assert.Contains("is not inside", error.Problem, StringComparison.Ordinal);
    }
}
