using PolicyAction.Scaffolding;

namespace PolicyAction.Tests.Scaffolding;

public sealed class ActionPinTests
{
    private static readonly ActionReference Commit = ActionReference.Parse("my-org/policy-response@89abcdef0123456789abcdef0123456789abcdef", "test");
    private static readonly HashSet<string> Names = ActionPin.Names(Commit, null);

    [Fact]
    public void Only_uses_lines_naming_this_action_change_and_line_endings_quotes_and_sub_paths_stay()
    {
        const string Workflow = "steps:\r\n"
            + "  - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\r\n"
            + "  - uses: org/policy-response@v2 # v2\r\n"
            + "    uses: 'org/policy-response/host@v2'\r\n"
            + "  - run: echo uses: org/policy-response@v2\r\n"
            + "  - uses: other-org/policy-response@v2\n"
            + "  - uses: Org/Policy-Response@main";

        var pinned = ActionPin.Workflow(Workflow, Commit, Names);

        Assert.Equal(
            "steps:\r\n"
            + "  - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\r\n"
            + "  - uses: my-org/policy-response@89abcdef0123456789abcdef0123456789abcdef # pinned by init\r\n"
            + "    uses: 'my-org/policy-response/host@89abcdef0123456789abcdef0123456789abcdef' # pinned by init\r\n"
            + "  - run: echo uses: org/policy-response@v2\r\n"
            + "  - uses: other-org/policy-response@v2\n"
            + "  - uses: my-org/policy-response@89abcdef0123456789abcdef0123456789abcdef # pinned by init",
            pinned.Text);
        Assert.Equal([3, 4, 7], pinned.ChangedLines);
    }

    [Fact]
    public void A_tag_is_written_as_given_without_a_comment()
    {
        var tag = ActionReference.Parse("my-org/policy-response@v2.3.1", "test");

        var pinned = ActionPin.Workflow("      - uses: my-org/policy-response@0123456789abcdef0123456789abcdef01234567 # pinned by init\n", tag, ActionPin.Names(tag, null));

        Assert.Equal("      - uses: my-org/policy-response@v2.3.1\n", pinned.Text);
    }

    [Fact]
    public void The_configurations_reference_lines_are_repinned_and_name_the_action_it_used_before()
    {
        var configuration = ConfigTemplate.Render(ActionReference.Parse("fork-owner/policy-fork@v2", "test")) + "levels: {}\n";

        var pinned = ActionPin.Configuration(configuration, Commit);

        Assert.Equal(ConfigTemplate.Render(Commit) + "levels: {}\n", pinned.Text);
        Assert.Equal([1, 3], pinned.ChangedLines);
        Assert.Contains("fork-owner/policy-fork", ActionPin.Names(Commit, configuration));
    }
}
