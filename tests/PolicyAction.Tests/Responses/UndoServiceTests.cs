using System.Security.Cryptography;
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
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
        ContentBase64 = Convert.ToBase64String(content),
        Mode = mode,
    };

    [Fact]
    public void Apply_restores_every_path_byte_for_byte_and_removes_files_that_did_not_exist()
    {
        WriteRecord(Existed("mirrors/chain.bin", Original), new UndoFile { Path = "mirrors/created.json", Existed = false });
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
        WriteRecord(Existed("mirrors/chain.bin", Original));
        _workspace.Write("mirrors/chain.bin", "changed");

        Service().Run(ResponseId, apply: false);

        Assert.Equal("changed", _workspace.Read("mirrors/chain.bin"));
        Assert.Contains("would restore mirrors/chain.bin", _output.ToString(), StringComparison.Ordinal);
        Assert.Equal(UndoStatuses.Complete, Store.ReadUndo(ResponseId)!.Status);
        Assert.Empty(Store.AuditLog.Read().Records);
    }

    [Fact]
    public void Undoing_an_undone_response_is_a_no_op_that_says_so()
    {
        WriteRecord(Existed("mirrors/chain.bin", Original));
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
}
