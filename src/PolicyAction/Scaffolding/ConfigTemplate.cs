namespace PolicyAction.Scaffolding;

/// <summary>
/// The <c>.github/policy-response.yml</c> that init writes: valid as it stands (no actions, so every level is a no-op;
/// one GitHub signal in dry run, so the level evaluates to GREEN), with example actions and signals as comments that
/// load as they are once uncommented.
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
        # The level is computed from these signals (every key: docs/orchestrator.md): policy_orchestration.yml runs
        # evaluate every day and commits it. Preview here with: policy-response evaluate
        evaluation:
          on_unknown: yellow  # a signal that cannot be read (a missing permission, a timeout) asks for YELLOW
          calm_for: 2         # the level falls after the signals asked for less on 2 evaluations in a row
        signals:
          # Failed runs of your CI (needs actions: read, which the orchestration's job has). Shown, never counted,
          # while dry_run is true: set workflow to your CI's file, watch a few evaluations, then remove dry_run.
          - id: failed_ci
            description: Failed runs of the CI workflow in the last 24 hours
            github:
              query: workflow_runs
              workflow: ci.yml
              window: 24h
            yellow: ">= 1"
            red: "> 3"
            dry_run: true
          # The integrity checks as signals. Uncomment once the files they read are in the repository.
          # - id: integrity_manifest
          #   description: Files match the integrity manifest
          #   command:
          #     run: ["/usr/bin/sha256sum", "--quiet", "-c", "manifest.sha256"]
          #     timeout_seconds: 300
          #   red: "!= 0"
          # - id: anchor_chain_present
          #   description: The anchor chain exists and is not empty
          #   command:
          #     run: ["/usr/bin/test", "-s", "anchors/anchor_chain.json"]
          #   yellow: "!= 0"
          # A timestamp your pipeline writes into a file (a checkout gives every file the checkout's time, so read one in it).
          # - id: anchor_chain_age
          #   description: The anchor chain was updated in the last 26 hours
          #   file:
          #     path: anchors/anchor_chain.json
          #     pointer: /updated_at
          #     value: age
          #   yellow: "> 26h"
          #   red: "> 3d"
          # Open Dependabot alerts of high or critical severity: uncomment security-events: read in
          # policy_orchestration.yml first, or the signal is unknown (and asks for YELLOW).
          # - id: dependabot_high
          #   description: Open Dependabot alerts at high severity or above
          #   github:
          #     query: dependabot_alerts
          #     min_severity: high
          #   yellow: ">= 1"
          #   red: ">= 5"
          #   for: 2

        """;
}
