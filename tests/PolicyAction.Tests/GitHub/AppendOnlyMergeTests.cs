using System.Text;
using PolicyAction.GitHub;
using PolicyAction.SharedBranch;

namespace PolicyAction.Tests.GitHub;

public class AppendOnlyMergeTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static string Merge(string? baseline, string local, string? remote) =>
        Encoding.UTF8.GetString(AppendOnlyMerge.Merge(baseline is null ? null : B(baseline), B(local), remote is null ? null : B(remote)));

    [Theory]
    [InlineData("a\n", "a\nmine\n", "a\n", "a\nmine\n")]
    [InlineData("a\n", "a\nmine\n", "a\ntheirs\n", "a\ntheirs\nmine\n")]
    [InlineData(null, "mine\n", null, "mine\n")]
    [InlineData(null, "mine\n", "theirs\n", "theirs\nmine\n")]
    [InlineData("a\n", "a\nmine\n", "a\ntheirs", "a\ntheirs\nmine\n")]
    [InlineData("a\n", "a\nmine\n", "a\ntheirs\nmine\n", "a\ntheirs\nmine\n")]
    [InlineData("a\n", "a\n", "a\ntheirs\n", "a\ntheirs\n")]
    [InlineData("a\n", "a\nreserved\nmine\n", "a\nreserved\ntheirs\n", "a\nreserved\ntheirs\nmine\n")]
    public void Keeps_every_line_of_both_sides_in_order(string? baseline, string local, string? remote, string expected) =>
        Assert.Equal(expected, Merge(baseline, local, remote));

    [Fact]
    public void Refuses_a_local_log_that_was_rewritten_rather_than_appended_to() =>
        Assert.Throws<InvalidOperationException>(() => Merge("a\nb\n", "a\nX\nmine\n", "a\nb\n"));

    [Fact]
    public void A_torn_last_local_line_is_never_committed()
    {
        Assert.Equal("a\nmine\n", Merge("a\n", "a\nmine\n{\"ti", "a\n"));
        Assert.Equal("mine\n", Merge(null, "mine\n{\"ti", null));
    }

    [Fact]
    public void The_audit_log_is_relinked_onto_the_branch_head_and_a_reserved_record_is_not_repeated()
    {
        using var workspace = new Support.TempWorkspace();
        var shared = new PolicyAction.State.AuditLog(workspace.PathOf("shared.jsonl"));
        shared.Append(Record("trust_locked"));
        var baseline = File.ReadAllBytes(shared.Path);

        // Ours: reserved on the branch, then continued locally; theirs: another run committed after the reservation.
        File.Copy(shared.Path, workspace.PathOf("ours.jsonl"));
        var ours = new PolicyAction.State.AuditLog(workspace.PathOf("ours.jsonl"));
        ours.Append(Record("response_started"));
        ours.Append(Record("response_finished"));
        var remote = PolicyAction.State.AuditChain.LineAfter(baseline, Record("response_started"), "branch");
        var branch = AppendOnlyMerge.Append(baseline, remote);
        branch = AppendOnlyMerge.Append(branch, PolicyAction.State.AuditChain.LineAfter(branch, Record("brake_engaged"), "branch"));

        var merged = AppendOnlyMerge.Merge(baseline, File.ReadAllBytes(ours.Path), branch, chained: true);

        var verification = PolicyAction.State.AuditLogVerifier.Verify(new MemoryStream(merged), "merged");
        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(4, verification.Records);
        var events = PolicyAction.State.AuditLog.Parse(new MemoryStream(merged), "merged").Records.Select(r => r.Event);
        Assert.Equal(["trust_locked", "response_started", "brake_engaged", "response_finished"], events);
    }

    private static PolicyAction.State.AuditRecord Record(string name) =>
        new() { Timestamp = Support.CliHarness.Now, Event = name, Actor = "octocat" };
}
