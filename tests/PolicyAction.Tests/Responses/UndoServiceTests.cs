using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using PolicyAction.Output;
using PolicyAction.Responses;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Responses;

public sealed class UndoServiceTests : IDisposable
{
    private static readonly Guid ResponseId = Guid.Parse("0b6f7a0e-3c1d-4c1e-9a57-2f5d8c0e9a11");
    private static readonly byte[] Original = [0x00, 0xFF, 0x0A, 0x0D, 0x7B, 0x22, 0xC3, 0x28, 0x00];

    private readonly TempWorkspace _workspace = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    private StateStore Store => new(new WorkspacePaths(_workspace.Root));

    public void Dispose()
    {
        _workspace.Dispose();
        _output.Dispose();
        _error.Dispose();
    }

    private UndoService Service() => new(
        Store,
        new FakeTimeProvider(CliHarness.Now),
        new Reporter(_output, _error),
        RunContext.FromVariables(new Dictionary<string, string>(), "alice"));

    private void WriteRecord(params UndoFile[] files) => Store.WriteUndo(new UndoRecord
    {
        ResponseId = ResponseId,
        Policy = "RED",
        CreatedAt = CliHarness.Now,
        Status = UndoStatuses.Complete,
        Actions = [new UndoAction { Action = "mirror", Files = files }],
    });

    private static UndoFile Existed(string path, byte[] content, string mode = "0640") => new()
    {
        Path = path,
        Existed = true,
        Sha256 = Sha(content),
        ContentBase64 = Convert.ToBase64String(content),
        Mode = mode,
    };

    /// <summary>The entry as the journal finishes it: with what the response left at the path (null: it removed it).</summary>
    private static UndoFile Left(UndoFile file, string? after) => file with
    {
        ExistedAfter = after is not null,
        AfterSha256 = after is null ? null : Sha(Encoding.UTF8.GetBytes(after)),
    };

    private static string Sha(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    [Fact]
    public void Apply_restores_every_path_byte_for_byte_and_removes_files_that_did_not_exist()
    {
        WriteRecord(Left(Existed("mirrors/chain.bin", Original), "overwritten by the action"), Left(new UndoFile { Path = "mirrors/created.json", Existed = false }, "new"));
        _workspace.Write("mirrors/chain.bin", "overwritten by the action").Write("mirrors/created.json", "new");

        Service().Run(ResponseId, apply: true);

        Assert.Equal(Original, _workspace.ReadBytes("mirrors/chain.bin"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(_workspace.PathOf("mirrors/chain.bin")));
        Assert.False(_workspace.Exists("mirrors/created.json"));
        var record = Store.ReadUndo(ResponseId)!;
        Assert.Equal(UndoStatuses.Undone, record.Status);
        Assert.Equal("alice", record.UndoneBy);
        var logged = Assert.Single(Store.AuditLog.Read().Records);
        Assert.Equal((AuditEvents.UndoApplied, ResponseId), (logged.Event, logged.ResponseId!.Value));
    }

    [Fact]
    public void Without_apply_it_only_previews()
    {
        WriteRecord(Left(Existed("mirrors/chain.bin", Original), "changed"));
        _workspace.Write("mirrors/chain.bin", "changed");

        Service().Run(ResponseId, apply: false);

        Assert.Equal("changed", _workspace.Read("mirrors/chain.bin"));
        Assert.Contains("mirrors/chain.bin: holds what the response left; would restore 9 bytes", _output.ToString(), StringComparison.Ordinal);
        Assert.Equal(UndoStatuses.Complete, Store.ReadUndo(ResponseId)!.Status);
        Assert.Empty(Store.AuditLog.Read().Records);
    }

    [Fact]
    public void Undoing_an_undone_response_is_a_no_op_that_says_so()
    {
        WriteRecord(Left(Existed("mirrors/chain.bin", Original), "changed"));
        _workspace.Write("mirrors/chain.bin", "changed");
        Service().Run(ResponseId, apply: true);
        _workspace.Write("mirrors/chain.bin", "changed again later");

        Service().Run(ResponseId, apply: true);

        Assert.Equal("changed again later", _workspace.Read("mirrors/chain.bin"));
        Assert.Contains("already undone", _output.ToString(), StringComparison.Ordinal);
        Assert.Single(Store.AuditLog.Read().Records);
    }

    [Fact]
    public void A_missing_record_is_a_usage_error()
    {
        var error = Assert.Throws<UsageException>(() => Service().Run(ResponseId, apply: true));

        Assert.Contains("no undo record", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Content_that_does_not_match_its_checksum_restores_nothing()
    {
        var tampered = Existed("mirrors/a.bin", Original) with { ContentBase64 = Convert.ToBase64String("evil"u8.ToArray()) };
        WriteRecord(Existed("mirrors/b.bin", Original), tampered);
        _workspace.Write("mirrors/a.bin", "current a").Write("mirrors/b.bin", "current b");

        var error = Assert.Throws<StateFileException>(() => Service().Run(ResponseId, apply: true));

        Assert.Contains("does not match its sha256", error.Message, StringComparison.Ordinal);
        Assert.Equal("current a", _workspace.Read("mirrors/a.bin"));
        Assert.Equal("current b", _workspace.Read("mirrors/b.bin"));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../etc/passwd")]
    [InlineData(".git/config")]
    [InlineData("vendor/lib/.git/hooks/post-checkout")]
    [InlineData(".GIT/hooks/pre-commit")]
    [InlineData("vendor/GIT~1/hooks/pre-commit")]
    [InlineData("forensics/safety_brake_state.json")]
    [InlineData("state/policy_response_log.jsonl")]
    [InlineData("state/policy_response_log/000/000002.jsonl")]
    [InlineData("logs/policy_orchestration_alerts.jsonl")]
    [InlineData(".github/workflows/policy_response_runner.yml")]
    public void An_edited_record_cannot_write_outside_the_workspace_or_into_git(string path)
    {
        WriteRecord(Existed(path, "root::0:0::/root:/bin/sh\n"u8.ToArray()));

        var error = Assert.Throws<StateFileException>(() => Service().Run(ResponseId, apply: true));

        Assert.Contains("policy_response_undo_", error.FilePath, StringComparison.Ordinal);
        Assert.Empty(Store.AuditLog.Read().Records);
    }

    [Fact]
    public void A_record_for_another_response_is_refused()
    {
        WriteRecord(Existed("a.bin", Original));
        var other = Guid.NewGuid();
        File.Copy(Store.Paths.UndoRecord(ResponseId), Store.Paths.UndoRecord(other));

        Assert.Throws<StateFileException>(() => Service().Run(other, apply: true));
    }

    [Fact]
    public void A_path_edited_since_the_response_is_refused_naming_both_hashes_and_nothing_is_written()
    {
        WriteRecord(Left(Existed("mirrors/a.bin", Original), "left by the action"), Left(Existed("mirrors/b.bin", Original), "left by the action"));
        _workspace.Write("mirrors/a.bin", "left by the action").Write("mirrors/b.bin", "edited by a person since");

        var error = Assert.Throws<UsageException>(() => Service().Run(ResponseId, apply: true));

        Assert.Equal(ExitCodes.UsageOrStateError, error.ExitCode);
        Assert.Contains("nothing was restored", error.Message, StringComparison.Ordinal);
        Assert.Contains($"mirrors/b.bin: the response left sha256 {Sha("left by the action"u8.ToArray())}, it holds sha256 {Sha("edited by a person since"u8.ToArray())} now", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("mirrors/a.bin:", error.Message, StringComparison.Ordinal);
        Assert.Contains($"policy-response undo {ResponseId:D} --apply --force", error.Message, StringComparison.Ordinal);
        // Checked before any write: the path that was as the response left it is not restored either.
        Assert.Equal("left by the action", _workspace.Read("mirrors/a.bin"));
        Assert.Equal("edited by a person since", _workspace.Read("mirrors/b.bin"));
        Assert.Equal(UndoStatuses.Complete, Store.ReadUndo(ResponseId)!.Status);
        Assert.Empty(Store.AuditLog.Read().Records);
    }

    [Fact]
    public void Force_restores_over_an_edit_and_the_audit_record_says_so()
    {
        WriteRecord(Left(Existed("mirrors/a.bin", Original), "left by the action"));
        _workspace.Write("mirrors/a.bin", "edited by a person since");

        Service().Run(ResponseId, apply: true, force: true);

        Assert.Equal(Original, _workspace.ReadBytes("mirrors/a.bin"));
        Assert.Contains("--force: restoring mirrors/a.bin", _error.ToString(), StringComparison.Ordinal);
        var logged = Assert.Single(Store.AuditLog.Read().Records);
        Assert.Contains("--force: restored over changes made since the response to mirrors/a.bin", logged.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_that_already_holds_the_original_is_left_alone_and_reported()
    {
        WriteRecord(Left(Existed("mirrors/a.bin", Original), "left by the action"), Left(Existed("mirrors/b.bin", Original), "left by the action"));
        _workspace.Write("mirrors/a.bin", "left by the action").WriteBytes("mirrors/b.bin", Original);
        File.SetUnixFileMode(_workspace.PathOf("mirrors/b.bin"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Service().Run(ResponseId, apply: true);

        Assert.Equal(Original, _workspace.ReadBytes("mirrors/a.bin"));
        // Not rewritten: its mode is still its own, not the recorded 0640.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_workspace.PathOf("mirrors/b.bin")));
        Assert.Contains("mirrors/b.bin: already holds the original; left alone", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("restored 1 path(s); 1 already held the original, left alone", Assert.Single(Store.AuditLog.Read().Records).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_preview_states_for_each_path_what_it_holds()
    {
        WriteRecord(
            Left(Existed("mirrors/left.bin", Original), "left by the action"),
            Left(Existed("mirrors/original.bin", Original), "left by the action"),
            Left(Existed("mirrors/edited.bin", Original), "left by the action"),
            Left(new UndoFile { Path = "mirrors/removed.json", Existed = false }, null),
            Existed("mirrors/old-record.bin", Original));
        _workspace.Write("mirrors/left.bin", "left by the action").WriteBytes("mirrors/original.bin", Original).Write("mirrors/edited.bin", "edited").Write("mirrors/removed.json", "made since").Write("mirrors/old-record.bin", "x");

        Service().Run(ResponseId, apply: false);

        var output = _output.ToString();
        Assert.Contains("mirrors/left.bin: holds what the response left; would restore", output, StringComparison.Ordinal);
        Assert.Contains("mirrors/original.bin: already holds the original; left alone", output, StringComparison.Ordinal);
        Assert.Contains($"mirrors/edited.bin: CHANGED since the response (the response left sha256 {Sha("left by the action"u8.ToArray())}, it holds sha256 {Sha("edited"u8.ToArray())} now)", output, StringComparison.Ordinal);
        Assert.Contains($"mirrors/removed.json: CHANGED since the response (the response left no file, it holds sha256 {Sha("made since"u8.ToArray())} now); would remove it", output, StringComparison.Ordinal);
        Assert.Contains("mirrors/old-record.bin: UNKNOWN whether it changed since the response", output, StringComparison.Ordinal);
        Assert.Contains("3 path(s) changed since the response, or cannot tell: --apply refuses them unless --force", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_without_after_hashes_is_refused_unless_forced()
    {
        // Written by a version before undo kept what the response left (or by a response interrupted mid-action).
        WriteRecord(Existed("mirrors/a.bin", Original));
        _workspace.Write("mirrors/a.bin", "whatever it holds");

        var error = Assert.Throws<UsageException>(() => Service().Run(ResponseId, apply: true));

        Assert.Contains("the record has no hash of what the response left", error.Message, StringComparison.Ordinal);
        Assert.Equal("whatever it holds", _workspace.Read("mirrors/a.bin"));

        Service().Run(ResponseId, apply: true, force: true);

        Assert.Equal(Original, _workspace.ReadBytes("mirrors/a.bin"));
    }
}
