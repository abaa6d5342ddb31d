namespace PolicyAction.Tests;

public class Smoke
{
    [Fact]
    public void Exit_codes_are_distinct() =>
        Assert.Equal(4, new[] { ExitCodes.Success, ExitCodes.ActionFailed, ExitCodes.UsageOrStateError, ExitCodes.Blocked }.Distinct().Count());
}
