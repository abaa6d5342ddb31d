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
            + "  - uses: my-org/policy-response@89abcdef0123456789abcdef0123456789abcdef # v2\r\n"
            + "    uses: 'my-org/policy-response/host@89abcdef0123456789abcdef0123456789abcdef' # pinned by init\r\n"
            + "  - run: echo uses: org/policy-response@v2\r\n"
            + "  - uses: other-org/policy-response@v2\n"
            + "  - uses: my-org/policy-response@89abcdef0123456789abcdef0123456789abcdef # pinned by init",
            pinned.Text);
        Assert.Equal([3, 4, 7], pinned.Changed.Select(l => l.Number));
        Assert.Equal("my-org/policy-response/host@89abcdef0123456789abcdef0123456789abcdef", pinned.Changed[1].Reference);
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
        Assert.Equal([1, 3], pinned.Changed.Select(l => l.Number));
        Assert.Contains("fork-owner/policy-fork", ActionPin.Names(Commit, configuration));
    }

    [Fact]
    public void A_comment_of_the_teams_naming_another_repositorys_documentation_is_neither_repinned_nor_this_action()
    {
        const string Foreign = "# deploy tool options: https://github.com/acme/deploy-kit/blob/main/docs/configuration.md";
        const string ForeignAlone = "# https://github.com/acme/deploy-kit/blob/main/docs/configuration.md";
        var template = ConfigTemplate.Render(ActionReference.Default);
        var configuration = template.Replace("version: 1\n", $"{Foreign}\nversion: 1\n{ForeignAlone}\n", StringComparison.Ordinal);
        configuration = ForeignAlone + "\n" + configuration;

        var names = ActionPin.Names(Commit, configuration);
        var pinned = ActionPin.Configuration(configuration, Commit);

        Assert.DoesNotContain("acme/deploy-kit", names);
        Assert.Equal([2, 4], pinned.Changed.Select(l => l.Number));
        Assert.Equal(
            configuration.Replace("org/policy-response/v2/", "my-org/policy-response/89abcdef0123456789abcdef0123456789abcdef/", StringComparison.Ordinal)
                .Replace("/org/policy-response/blob/v2/", "/my-org/policy-response/blob/89abcdef0123456789abcdef0123456789abcdef/", StringComparison.Ordinal),
            pinned.Text);
        Assert.Contains(Foreign, pinned.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_documentation_link_below_the_leading_comments_or_not_after_inits_line_stays()
    {
        var configuration = "version: 1\n# yaml-language-server: $schema=https://raw.githubusercontent.com/org/policy-response/v2/docs/policy-response.schema.json\n"
            + "# https://github.com/org/policy-response/blob/v2/docs/configuration.md\n";

        var pinned = ActionPin.Configuration(configuration, Commit);

        Assert.Empty(pinned.Changed);
        Assert.Equal(0, pinned.Found);
        Assert.Null(ActionPin.Previous(configuration));
    }

    [Fact]
    public void A_teams_comment_stays_and_inits_own_follows_the_reference()
    {
        var tag = ActionReference.Parse("my-org/policy-response@v2.3.1", "test");
        const string Workflow = "      - uses: org/policy-response@v2.1.0 # approved SEC-123\n"
            + "      - uses: org/policy-response@0123456789abcdef0123456789abcdef01234567   # pinned by init\n";

        Assert.Equal(
            "      - uses: my-org/policy-response@89abcdef0123456789abcdef0123456789abcdef # approved SEC-123\n"
            + "      - uses: my-org/policy-response@89abcdef0123456789abcdef0123456789abcdef # pinned by init\n",
            ActionPin.Workflow(Workflow, Commit, Names).Text);
        Assert.Equal(
            "      - uses: my-org/policy-response@v2.3.1 # approved SEC-123\n"
            + "      - uses: my-org/policy-response@v2.3.1\n",
            ActionPin.Workflow(Workflow, tag, ActionPin.Names(tag, null)).Text);
    }
}
