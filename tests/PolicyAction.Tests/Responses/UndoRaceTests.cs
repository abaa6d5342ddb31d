using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using PolicyAction.Configuration;
using PolicyAction.Output;
using PolicyAction.Responses;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Responses;

/// <summary>
/// Check-then-use races on reversible paths: another process swaps a folder or the file itself for a symbolic link,
/// in a loop, while the backup or the restore runs. Whatever it wins, nothing is written outside the workspace and
/// nothing outside is read into an undo record.
/// </summary>
public sealed class UndoRaceTests : IDisposable
{
    private const int Tries = 200;

    // The backup's window (between the check of the path and the read) is a few microseconds: the unconfined read
    // was won within the first few hundred tries here, so it gets more.
    private const int BackupTries = 1000;
    private const string Token = "ghs_the_token_that_must_never_reach_a_record";

    private static readonly Guid ResponseId = Guid.Parse("6f1d2c3b-4a59-4e68-8d7c-1b2a3c4d5e6f");
    private static readonly byte[] Original = Encoding.UTF8.GetBytes("original\n");

    private readonly TempWorkspace _workspace = new();
    private readonly TempWorkspace _outside = new();

    public void Dispose()
    {
        _workspace.Dispose();
        _outside.Dispose();
    }

    private StateStore Store => new(new WorkspacePaths(_workspace.Root));

    [Fact]
    public async Task A_folder_swapped_for_a_link_while_undo_restores_never_gets_a_write_outside()
    {
        _workspace.Write("mirrors/anchor.json", "changed by the action\n");
        var real = _workspace.PathOf("mirrors");
        var aside = _workspace.PathOf("mirrors.aside");
        using var stop = new CancellationTokenSource();
        var swapper = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Directory.Move(real, aside);
                Retry(() => Directory.CreateSymbolicLink(real, _outside.Root));
                Thread.Yield();
                File.Delete(real);
                Retry(() => Directory.Move(aside, real));
            }
        });

        var refused = 0;
        var tries = 0;
        // Past Tries only while every try so far was refused: on a loaded machine the swapper can win every one of
        // them, and the race must have run at least once for the test to prove anything.
        for (var i = 0; (i < Tries || refused == i) && i < Tries * 20 && !swapper.IsCompleted; i++)
        {
            tries++;
            // Each try records the other content as the original, so there is always something to restore (a path
            // that already holds the original is left alone); --force, since the record says nothing of what was left.
            var original = Encoding.UTF8.GetBytes($"original {i % 2}\n");
            WriteRecord(original);
            try
            {
                Service().Run(ResponseId, apply: true, force: true);
            }
            catch (Exception e) when (e is PolicyActionException or IOException)
            {
                // Refused (a link on the way), or the folder moved under the write: either way, nothing outside.
                refused++;
            }

            Assert.True(Directory.GetFileSystemEntries(_outside.Root).Length == 0, $"try {i + 1}: undo wrote outside the workspace: {string.Join(", ", Directory.GetFileSystemEntries(_outside.Root))}");
        }

        await stop.CancelAsync();
        await swapper;
        Assert.Empty(Directory.GetFileSystemEntries(_outside.Root));
        Assert.True(refused < tries, $"all {tries} tries were refused; the race was never run");
    }

    [Fact]
    public async Task A_file_swapped_for_a_link_while_it_is_backed_up_never_puts_the_target_into_the_record()
    {
        File.WriteAllText(_outside.PathOf("environ"), Token);
        _workspace.Write("mirrors/anchor.json", "original\n");
        var anchor = _workspace.PathOf("mirrors/anchor.json");
        using var stop = new CancellationTokenSource();
        var swapper = Task.Run(() =>
        {
            var link = _workspace.PathOf("mirrors/.link");
            var file = _workspace.PathOf("mirrors/.file");
            while (!stop.IsCancellationRequested)
            {
                // Each swap is one rename, as an attacker's would be: the name always exists.
                File.CreateSymbolicLink(link, _outside.PathOf("environ"));
                File.Move(link, anchor, overwrite: true);
                File.WriteAllText(file, "original\n");
                File.Move(file, anchor, overwrite: true);
            }
        });

        var action = new ActionDefinition("mirror", null, ["/bin/true"], 60, false, ["mirrors/anchor.json"], null);
        var captured = 0;
        var secret = Convert.ToBase64String(Encoding.UTF8.GetBytes(Token));
        for (var i = 0; i < BackupTries && !swapper.IsCompleted; i++)
        {
            var id = Guid.NewGuid();
            var journal = new UndoJournal(Store, id, "RED", CliHarness.Now);
            if (journal.Capture(action, null) is null)
            {
                captured++;
                var record = _workspace.Read($"state/policy_response_undo_{id:D}.json");
                Assert.False(record.Contains(secret, StringComparison.Ordinal), $"try {i + 1}: the link's target was read into the undo record");
                Assert.Contains(Convert.ToBase64String(Original), record, StringComparison.Ordinal);
            }
        }

        await stop.CancelAsync();
        await swapper;
        Assert.True(captured > 0, "every try was refused; the race was never run");
    }

    /// <summary>Again after clearing the name: the restore may have created the folder in the gap between two renames.</summary>
    private void Retry(Action swap)
    {
        while (true)
        {
            try
            {
                swap();
                return;
            }
            catch (IOException)
            {
                var real = _workspace.PathOf("mirrors");
                if (new DirectoryInfo(real) is { Exists: true, LinkTarget: null })
                {
                    try
                    {
                        Directory.Delete(real, recursive: true);
                    }
                    catch (IOException)
                    {
                        // The restore wrote into it while it was being deleted ("Directory not empty"): clear it again.
                    }
                }
            }
        }
    }

    private UndoService Service() => new(
        Store,
        new FakeTimeProvider(CliHarness.Now),
        new Reporter(TextWriter.Null, TextWriter.Null),
        RunContext.FromVariables(new Dictionary<string, string>(), "alice"));

    private void WriteRecord(byte[] original) => Store.WriteUndo(new UndoRecord
    {
        ResponseId = ResponseId,
        Policy = "RED",
        CreatedAt = CliHarness.Now,
        Status = UndoStatuses.Complete,
        Actions =
        [
            new UndoAction
            {
                Action = "mirror",
                Files =
                [
                    new UndoFile
                    {
                        Path = "mirrors/anchor.json",
                        Existed = true,
                        Sha256 = Convert.ToHexStringLower(SHA256.HashData(original)),
                        ContentBase64 = Convert.ToBase64String(original),
                        Mode = "0644",
                    },
                ],
            },
        ],
    });
}
