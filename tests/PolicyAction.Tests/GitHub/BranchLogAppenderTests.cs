using System.Text;
using PolicyAction.GitHub;
using PolicyAction.SharedBranch;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.GitHub;

/// <summary>Appends on the shared branch against the API double, starting from what the run already knows of it.</summary>
public sealed class BranchLogAppenderTests : IAsyncLifetime
{
    private const string Log = "logs/x.jsonl";

    private ClientAgainstTheDouble _double = null!;

    public async Task InitializeAsync() =>
        _double = await ClientAgainstTheDouble.StartAsync(new Dictionary<string, byte[]> { [Log] = "first\n"u8.ToArray() });

    public async Task DisposeAsync() => await _double.DisposeAsync();

    private static Task<AppendOutcome> Append(BranchLogAppender appender, string line, Func<byte[], bool>? allow = null) =>
        appender.AppendAsync(
            Log,
            remote => allow is null || allow(remote) ? AppendDecision.Append(Encoding.UTF8.GetBytes(line + "\n")) : AppendDecision.Refuse("not yet"),
            $"append {line}",
            "nothing appended",
            CancellationToken.None);

    private string Branch() => Encoding.UTF8.GetString(_double.GitHub.ReadFile("main", Log)!);

    [Fact]
    public async Task The_second_append_of_a_run_starts_from_its_first_and_reads_nothing()
    {
        var appender = new BranchLogAppender(_double.Api, "main", new BranchKnowledge());
        await Append(appender, "second");
        var before = _double.GitHub.Exchanges.Count;

        await Append(appender, "third");

        var exchanges = _double.GitHub.Exchanges.Skip(before).ToArray();
        Assert.Equal("PUT", Assert.Single(exchanges).Method);
        Assert.Equal("first\nsecond\nthird\n", Branch());
    }

    [Fact]
    public async Task An_append_is_one_read_and_one_compare_and_swap_write()
    {
        var before = _double.GitHub.Exchanges.Count;

        var outcome = await Append(new BranchLogAppender(_double.Api, "main"), "second");

        var exchanges = _double.GitHub.Exchanges.Skip(before).Select(e => e.Method).ToArray();
        Assert.Equal(["GET", "PUT"], exchanges);
        Assert.Equal(_double.GitHub.BranchHead("main"), outcome.CommitSha);
        Assert.Equal("first\nsecond\n", Branch());
    }

    [Fact]
    public async Task Another_runs_commit_to_other_files_in_between_is_kept_without_a_retry()
    {
        var knowledge = new BranchKnowledge();
        var appender = new BranchLogAppender(_double.Api, "main", knowledge);
        await Append(appender, "mine");
        _double.GitHub.CommitFiles("main", new Dictionary<string, byte[]> { ["README.md"] = "theirs\n"u8.ToArray() }, "another run");
        var before = _double.GitHub.Exchanges.Count;

        await Append(appender, "mine again");

        Assert.Single(_double.GitHub.Exchanges.Skip(before));
        Assert.Equal("first\nmine\nmine again\n", Branch());
        Assert.Equal("theirs\n", Encoding.UTF8.GetString(_double.GitHub.ReadFile("main", "README.md")!));
        Assert.Equal(_double.GitHub.BranchHead("main"), knowledge.Tip!.CommitSha);
    }

    [Fact]
    public async Task A_log_over_a_megabyte_is_read_through_the_blob_api_and_still_swapped_on_its_blob()
    {
        var big = new StringBuilder();
        while (big.Length < 1_200_000)
        {
            big.Append("{\"padding\": \"").Append('x', 200).Append("\"}\n");
        }

        _double.GitHub.CommitFiles("main", new Dictionary<string, byte[]> { [Log] = Encoding.UTF8.GetBytes(big.ToString()) }, "a long history");
        byte[]? seen = null;

        var outcome = await Append(new BranchLogAppender(_double.Api, "main"), "next", remote => (seen = remote) is not null);

        Assert.True(outcome.Appended);
        Assert.Equal(big.ToString(), Encoding.UTF8.GetString(seen!));
        Assert.Equal(big + "next\n", Branch());
    }

    [Fact]
    public async Task A_known_blob_id_is_gits_own()
    {
        // printf 'first\\n' | git hash-object --stdin, and the empty blob.
        Assert.Equal("9c59e24b8393179a5d712de4f990178df5734d99", GitBlob.Sha("first\n"u8));
        Assert.Equal("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", GitBlob.Sha([]));
        var file = await _double.Api.GetFileOnBranchAsync("main", Log, CancellationToken.None);
        Assert.Equal(file.BlobSha, GitBlob.Sha(file.Content));
    }

    [Fact]
    public async Task When_another_run_committed_in_between_the_known_tip_loses_and_the_append_reads_again()
    {
        var knowledge = new BranchKnowledge();
        var appender = new BranchLogAppender(_double.Api, "main", knowledge);
        await Append(appender, "mine");
        _double.GitHub.CommitFiles("main", new Dictionary<string, byte[]> { [Log] = "first\nmine\ntheirs\n"u8.ToArray() }, "another run");

        await Append(appender, "mine again");

        Assert.Equal("first\nmine\ntheirs\nmine again\n", Branch());
        Assert.Equal(_double.GitHub.BranchHead("main"), knowledge.Tip!.CommitSha);
    }

    [Fact]
    public async Task A_refusal_on_the_known_view_is_decided_again_on_the_branch_as_it_is()
    {
        var appender = new BranchLogAppender(_double.Api, "main", new BranchKnowledge());
        await Append(appender, "mine");
        _double.GitHub.CommitFiles("main", new Dictionary<string, byte[]> { [Log] = "first\nmine\ntheirs\n"u8.ToArray() }, "another run");

        // Allowed only once another run's line is there: the known view lacks it, the branch has it.
        var outcome = await Append(appender, "after theirs", remote => Encoding.UTF8.GetString(remote).Contains("theirs", StringComparison.Ordinal));

        Assert.True(outcome.Appended);
        Assert.Equal("first\nmine\ntheirs\nafter theirs\n", Branch());
    }

    private static BranchKnowledge CheckedOut(Dictionary<string, byte[]> files)
    {
        var knowledge = new BranchKnowledge();
        knowledge.RememberCheckout(files, "refs/heads/main");
        return knowledge;
    }

    [Fact]
    public async Task A_checkout_that_is_still_the_branchs_is_one_write_and_no_read()
    {
        var appender = new BranchLogAppender(_double.Api, "main", CheckedOut(new() { [Log] = "first\n"u8.ToArray() }));
        var before = _double.GitHub.Exchanges.Count;

        var outcome = await Append(appender, "second");

        Assert.Equal(["PUT"], _double.GitHub.Exchanges.Skip(before).Select(e => e.Method).ToArray());
        Assert.Equal(_double.GitHub.BranchHead("main"), outcome.CommitSha);
        Assert.Equal("first\nsecond\n", Branch());
    }

    [Fact]
    public async Task A_checkout_behind_the_branch_loses_the_swap_and_the_decision_is_made_again_on_the_branch()
    {
        var appender = new BranchLogAppender(_double.Api, "main", CheckedOut(new() { [Log] = "first\n"u8.ToArray() }));
        _double.GitHub.CommitFiles("main", new Dictionary<string, byte[]> { [Log] = "first\ntheirs\n"u8.ToArray() }, "another run");
        var seen = new List<string>();

        // Refused on what the branch has now: the checkout's view must not be the one acted on.
        var outcome = await Append(appender, "mine", remote =>
        {
            seen.Add(Encoding.UTF8.GetString(remote));
            return !Encoding.UTF8.GetString(remote).Contains("theirs", StringComparison.Ordinal);
        });

        Assert.False(outcome.Appended);
        Assert.Equal(["first\n", "first\ntheirs\n"], seen);
        Assert.Equal("first\ntheirs\n", Branch());
    }

    [Fact]
    public async Task A_log_the_checkout_did_not_have_but_the_branch_has_is_read_and_kept()
    {
        var appender = new BranchLogAppender(_double.Api, "main", CheckedOut([]));

        var outcome = await Append(appender, "second");

        Assert.True(outcome.Appended);
        Assert.Equal("first\nsecond\n", Branch());
    }

    [Fact]
    public async Task A_log_this_run_already_wrote_is_not_taken_from_the_checkout_again()
    {
        const string Other = "logs/y.jsonl";
        var knowledge = CheckedOut(new() { [Log] = "first\n"u8.ToArray() });
        var appender = new BranchLogAppender(_double.Api, "main", knowledge);
        await Append(appender, "mine");
        await new BranchLogAppender(_double.Api, "main", knowledge).AppendAsync(Other, _ => AppendDecision.Append("y\n"u8.ToArray()), "y", "nothing", CancellationToken.None);
        var before = _double.GitHub.Exchanges.Count;

        await Append(appender, "mine again");

        // The checkout's copy is out of date by this run's own write: read once, no failed swap.
        Assert.Equal(["GET", "PUT"], _double.GitHub.Exchanges.Skip(before).Select(e => e.Method).ToArray());
        Assert.Equal("first\nmine\nmine again\n", Branch());
    }
}
