using PolicyAction.ActionHost;
using PolicyAction.Cli;
using PolicyAction.Forge;
using PolicyAction.Responses;

namespace PolicyAction.Tests.Cli;

/// <summary>The one mapping from outcomes to exit codes, as README's exit-code table states it.</summary>
public class ExitCodeForTests
{
    [Theory]
    [InlineData("NothingToDo", 0)]
    [InlineData("DryRun", 0)]
    [InlineData("Applied", 0)]
    [InlineData("Blocked", 3)]
    [InlineData("ActionFailed", 1)]
    public void A_response(string outcome, int exit) => Assert.Equal(exit, ExitCodeFor.Response(Enum.Parse<ResponseOutcome>(outcome)));

    private static readonly (ActionRunResult Result, int Exit)[] Runs =
    [
        (new(null, ResponseOutcome.Blocked, false, null, FailOnBlocked: false), 0),
        (new(null, ResponseOutcome.Blocked, false, null, FailOnBlocked: true), 3),
        (new(null, ResponseOutcome.Blocked, true, null, FailOnBlocked: false), 1),
        (new(null, ResponseOutcome.ActionFailed, true, new UsageException("no token"), FailOnBlocked: false), 1),
        (new(null, ResponseOutcome.Applied, false, new UsageException("no token"), FailOnBlocked: false), 2),
        (new(null, ResponseOutcome.Applied, false, new ForgeException("kept moving"), FailOnBlocked: false), 1),
        (new(null, null, true, null, FailOnBlocked: false), 1),
        (new(null, ResponseOutcome.DryRun, false, null, FailOnBlocked: true), 0),
        (new(true, null, false, null, FailOnBlocked: false), 0),
        (new(true, null, false, null, FailOnBlocked: true), 3),
        (new(false, null, false, null, FailOnBlocked: true), 0),
    ];

    public static TheoryData<int> ActionRuns => new(Enumerable.Range(0, Runs.Length));

    [Theory]
    [MemberData(nameof(ActionRuns))]
    public void An_action_run(int row) => Assert.Equal(Runs[row].Exit, ExitCodeFor.Action(Runs[row].Result));
}
