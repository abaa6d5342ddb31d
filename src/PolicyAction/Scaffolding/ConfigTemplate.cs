namespace PolicyAction.Scaffolding;

/// <summary>
/// The <c>.github/policy-response.yml</c> that init writes: valid as it stands (no actions, so every level is a no-op),
/// with example YELLOW and RED actions as comments that load as they are once uncommented.
/// </summary>
internal static class ConfigTemplate
{
    /// <summary>The line before the documentation link: <see cref="ActionPin"/> repins the link only where it follows this line.</summary>
    public const string DescribedIn = "# policy-response: what to run at each policy level. Every key is described in";

    public static string Render(ActionReference action) => $$"""
        # yaml-language-server: $schema=https://raw.githubusercontent.com/{{action.Owner}}/{{action.Repository}}/{{action.Ref}}/docs/policy-response.schema.json
        {{DescribedIn}}
        # https://github.com/{{action.Owner}}/{{action.Repository}}/blob/{{action.Ref}}/docs/configuration.md
        # Actions run without a shell: an absolute program and its arguments, from the repository's root.
        # Nothing runs until someone applies (workflow_dispatch with auto_apply, approved in the policy-apply environment).
        version: 1
        gates:
          max_responses_per_24h: 10
          max_manual_unlocks_per_day: 3
        levels:
          # GREEN never runs anything.
          YELLOW:
            # Soft, read-only checks. Uncomment and adapt to your repository:
            # - id: integrity_check
            #   description: Verify the integrity manifest
            #   run: ["/usr/bin/sha256sum", "-c", "manifest.sha256"]
            #   timeout_seconds: 300
            # - id: schema_validation
            #   description: Check that the anchor chain exists and is not empty
            #   run: ["/usr/bin/test", "-s", "anchors/anchor_chain.json"]
            #   timeout_seconds: 60
          RED:
            # Hard responses; a reversible one names the files it may change, saved in an undo record first.
            # - id: full_integrity_check
            #   description: Verify the integrity manifest
            #   run: ["/usr/bin/sha256sum", "-c", "manifest.sha256"]
            #   timeout_seconds: 300
            # - id: cold_storage_verification
            #   description: Confirm the cold-storage copy matches the anchor chain
            #   run: ["/usr/bin/cmp", "anchors/anchor_chain.json", "cold_storage/anchor_chain.json"]
            #   timeout_seconds: 120
            # - id: integrity_anchor_mirror
            #   description: Regenerate the anchor mirror from the anchor chain
            #   run: ["/bin/cp", "anchors/anchor_chain.json", "mirrors/anchor_chain.json"]
            #   reversible:
            #     paths: ["mirrors/anchor_chain.json"]
            #   undo_instruction: Restore mirrors/anchor_chain.json (policy-response undo <response_id> --apply)
        # alerts: the defaults are in docs/alerts.md, with how to tune them.

        """;
}
