using System.Text;
using PolicyAction.GitHub;

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
}
