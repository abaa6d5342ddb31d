using System.Text;
using PolicyAction.GitHub;
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
        Assert.DoesNotContain(exchanges, e => e.Method == "GET");
        Assert.Equal(3, exchanges.Length);
        Assert.Equal("first\nsecond\nthird\n", Branch());
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
}
