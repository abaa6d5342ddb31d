using System.CommandLine;
using System.Text.Json;
using PolicyAction.Alerts;
using PolicyAction.Configuration;
using PolicyAction.Gates;
using PolicyAction.Output;
using PolicyAction.Responses;
using PolicyAction.State;
using PolicyAction.Status;

namespace PolicyAction.Cli;

/// <summary>The commands, options and help text of <c>policy-response</c>.</summary>
internal sealed class CommandTree
{
    public static readonly Option<string?> WorkspaceOption = new("--workspace", "-w")
    {
        Description = "The repository folder to work on. Default: GITHUB_WORKSPACE, else the first folder from the current one up "
            + "(to the repository root) that holds .github/policy-response.yml, else, with --config, the repository root; "
            + "init: that folder, else the repository root, else the current folder.",
        Recursive = true,
    };

    public static readonly Option<string?> ConfigOption = new("--config")
    {
        Description = "The configuration file; a relative path is taken from the workspace (not the current folder) and must stay inside it. "
            + "Default: <workspace>/.github/policy-response.yml.",
        Recursive = true,
    };

    private readonly CliApplication _app;

    public CommandTree(CliApplication app)
    {
        _app = app;
        Root = new RootCommand(
            "policy-response: safety-gated automated responses to a policy level (GREEN, YELLOW, RED). "
            + "Dry-run by default; nothing runs without --apply or POLICY_AUTO_APPLY=true.")
        {
            Gates(),
            Respond(),
            Undo(),
            Acknowledge(),
            Trust(),
            Brake(),
            Status(),
            VerifyLog(),
            Alerts(),
            Evaluate(),
            Run(),
            Action(),
            Init(),
        };
        Root.Options.Add(WorkspaceOption);
        Root.Options.Add(ConfigOption);
    }

    public RootCommand Root { get; }

    private static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of text." };

    private Command Gates()
    {
        var json = JsonOption();
        var planDigest = new Option<string?>("--plan-digest")
        {
            Description = "Also hold the plan to this approved digest (the plan_digest gate), as respond --plan-digest would.",
        };
        var policy = new Option<string?>("--policy", "-p")
        {
            Description = "With --plan-digest: the level whose plan is compared. Default: the level in state/policy_state.json.",
        };
        var command = new Command("gates", "Evaluate every safety gate and print what each saw. Exit 0 if all pass, 3 if blocked.") { json, planDigest, policy };
        command.SetAction((parsed, cancellationToken) => _app.Guard(parsed, services =>
        {
            var digest = parsed.GetValue(planDigest);
            var level = digest is null ? (PolicyLevel?)null : services.ResolveLevel(parsed.GetValue(policy));
            var evaluation = services.Responses().EvaluateGates(new GateRequest(Apply: false, ExpectedPlanDigest: digest), level);
            if (parsed.GetValue(json))
            {
                services.Reporter.Json(JsonSerializer.Serialize(evaluation, GateJsonContext.Default.GateEvaluation));
            }
            else
            {
                services.Reporter.Text(GateText.Table(evaluation));
                services.Reporter.Line(evaluation.Passed ? "all gates passed" : $"BLOCKED by {string.Join(", ", evaluation.BlockedBy)}");
            }

            return Task.FromResult(ExitCodeFor.Gates(evaluation));
        }));
        return command;
    }

    private Command Evaluate()
    {
        var record = new Option<bool>("--record")
        {
            Description = "Write the level to state/policy_state.json and the audit log, as the orchestration workflow does. Without it, a preview that writes nothing.",
        };
        var explain = new Option<string?>("--explain")
        {
            Description = "Print one signal's recorded values of the last 31 days (from the audit log), for tuning its thresholds; reads no signal.",
        };
        var json = JsonOption();
        var command = new Command("evaluate", "Compute the policy level from the signals in the configuration: read each, show why, and with --record write it.") { record, explain, json };
        command.SetAction((parsed, cancellationToken) => _app.Guard(parsed, async services =>
        {
            var config = services.Config;
            using var github = services.CliGitHub();
            // With --json, stdout is the document: what a failing signal command printed goes to stderr.
            var evaluation = services.Evaluation(parsed.GetValue(json) ? services.Reporter.ToErrorStream() : services.Reporter, github);
            if (parsed.GetValue(explain) is { } id)
            {
                var signal = config.Signals.FirstOrDefault(s => s.Id == id);
                var history = evaluation.History(id, warning => services.Reporter.Warning(warning));
                if (signal is null && history.Count == 0)
                {
                    throw new UsageException($"no signal '{id}' in {config.SourcePath} nor in the recorded evaluations; its signals: {(config.Signals.Count == 0 ? "none" : string.Join(", ", config.Signals.Select(s => s.Id)))}");
                }

                services.Reporter.Text(Orchestrator.EvaluationText.Explain(signal, id, history));
                return ExitCodes.Success;
            }

            if (config.Signals.Count == 0)
            {
                throw new UsageException($"{config.SourcePath} has no 'signals:', so there is no level to compute; add signals under 'signals:', each with an id, a source (command, file or github) and a yellow or red condition, or let your workflow write state/policy_state.json");
            }

            var doRecord = parsed.GetValue(record);
            using var workspaceLock = doRecord ? services.LockWorkspace() : null;
            var result = await evaluation.EvaluateAsync(config.Signals, config.Evaluation, doRecord, cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                services.Reporter.Json(JsonSerializer.Serialize(Orchestrator.EvaluationReport.Of(result), Orchestrator.OrchestratorJsonContext.Default.EvaluationReport));
            }
            else
            {
                services.Reporter.Text(Orchestrator.EvaluationText.Terminal(result, services.Paths.Relative(services.Paths.PolicyState)));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private Command Respond()
    {
        var policy = new Option<string?>("--policy", "-p")
        {
            Description = "GREEN, YELLOW or RED, as a what-if: recorded in the level history only when an apply runs actions. Default: the level in state/policy_state.json (recorded).",
        };
        var apply = new Option<bool>("--apply")
        {
            Description = "Execute the actions. Without it (and without POLICY_AUTO_APPLY=true) this is a dry run that writes a preview.",
        };
        var planDigest = new Option<string?>("--plan-digest")
        {
            Description = "Refuse (exit 3) unless the current plan has this digest, as printed by the approved preview.",
        };
        var json = JsonOption();
        var command = new Command("respond", "Plan the response for a policy level; preview it (default) or apply it.") { policy, apply, planDigest, json };
        command.SetAction((parsed, cancellationToken) => _app.Guard(parsed, async services =>
        {
            var doApply = ApplySwitch.Resolve(parsed.GetValue(apply), services.Context.Variable(ApplySwitch.AutoApplyVariable));
            using var workspaceLock = services.LockWorkspace();
            var given = parsed.GetValue(policy);
            var level = services.ResolveLevel(given);
            var asJson = parsed.GetValue(json);
            // A level given here is a what-if: only the state file's level is observed (and so recorded).
            var origin = given is null ? LevelOrigin.Observed : LevelOrigin.WhatIf;
            // With --json, stdout is the document; otherwise the heading and gates come before the actions' output.
            var console = asJson ? null : new ResponseConsole(services.Reporter, services.Paths);
            var result = await services.Responses(asJson ? services.Reporter.ToErrorStream() : null)
                .RespondAsync(new RespondRequest(level, doApply, parsed.GetValue(planDigest), Origin: origin, BeforeRunning: console is null ? null : console.Announce), cancellationToken)
                .ConfigureAwait(false);
            if (console is null)
            {
                services.Reporter.Json(JsonSerializer.Serialize(result.Report, ResponseJsonContext.Default.ResponseReport));
            }
            else
            {
                console.Finish(result);
            }

            return ExitCodeFor.Response(result.Outcome);
        }));
        return command;
    }

    private Command Undo()
    {
        var responseId = new Argument<string>("response-id") { Description = "The response_id of an applied response (see state/policy_response_undo_*.json)." };
        var apply = new Option<bool>("--apply") { Description = "Restore the files. Without it, only show what would be restored." };
        var force = new Option<bool>("--force") { Description = "With --apply: restore also the paths changed since the response ran (or that it cannot tell about), over those changes. Recorded in the audit log." };
        var command = new Command("undo", "Preview, or with --apply perform, the undo of an applied response's reversible actions.") { responseId, apply, force };
        command.SetAction((parsed, cancellationToken) => _app.Guard(parsed, services =>
        {
            var id = ParseResponseId(parsed.GetValue(responseId));
            using var workspaceLock = services.LockWorkspace();
            var change = services.Undo().Run(id, parsed.GetValue(apply), parsed.GetValue(force));
            RepositoryHint.Print(services, change, "undo", [("response_id", id.ToString("D")), ("reason", null)], " (and the restored files, if the repository tracks them)");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private Command Acknowledge()
    {
        var responseId = new Argument<string>("response-id") { Description = "The interrupted response's id, as the blocked message and 'status' show it." };
        var reason = ReasonOption();
        var command = new Command("acknowledge", "Accept an interrupted response as it is (after checking the workspace), so applies may run again. To restore its files instead, use 'undo ID --apply'.") { responseId, reason };
        command.SetAction((parsed, _) => _app.Guard(parsed, services =>
        {
            var id = ParseResponseId(parsed.GetValue(responseId));
            using var workspaceLock = services.LockWorkspace();
            var change = services.Responses().Acknowledge(id, parsed.GetValue(reason)!);
            RepositoryHint.Print(services, change, "acknowledge", [("response_id", id.ToString("D")), ("reason", parsed.GetValue(reason)!.Trim())]);
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static Guid ParseResponseId(string? text) =>
        Guid.TryParseExact(text, "D", out var id)
            ? id
            : throw new UsageException($"'{text}' is not a response id; expected a UUID such as 0b6f7a0e-3c1d-4c1e-9a57-2f5d8c0e9a11");

    private Command Trust()
    {
        var command = new Command("trust", "The trust guard: while locked, no automated response runs.");

        var status = new Command("status", "Show the lock, who holds it and why, and recent unlocks.");
        status.SetAction((parsed, _) => _app.Guard(parsed, services =>
        {
            services.Trust().Status();
            return Task.FromResult(ExitCodes.Success);
        }));

        var lockReason = ReasonOption();
        var lockCommand = new Command("lock", "Lock the trust guard (stops all automated responses).") { lockReason };
        lockCommand.SetAction((parsed, _) => _app.Guard(parsed, services =>
        {
            using var workspaceLock = services.LockWorkspace();
            var change = services.Trust().Lock(parsed.GetValue(lockReason)!);
            RepositoryHint.Print(services, change, "trust-lock", [("reason", parsed.GetValue(lockReason)!.Trim())]);
            return Task.FromResult(ExitCodes.Success);
        }));

        var unlockReason = ReasonOption();
        var unlock = new Command("unlock", "Release a lock you took yourself. Counts as a manual unlock.") { unlockReason };
        unlock.SetAction((parsed, _) => _app.Guard(parsed, services =>
        {
            using var workspaceLock = services.LockWorkspace();
            var change = services.Trust().Unlock(parsed.GetValue(unlockReason)!);
            RepositoryHint.Print(services, change, "trust-unlock", [("reason", parsed.GetValue(unlockReason)!.Trim())]);
            return Task.FromResult(ExitCodes.Success);
        }));

        var forceReason = ReasonOption();
        var lockId = new Option<string>("--lock-id") { Description = "The current lock's id, from 'trust status'.", Required = true };
        var force = new Command("force-unlock", "Release anyone's lock; needs the current lock id and a reason. Counts as a manual unlock.") { lockId, forceReason };
        force.SetAction((parsed, _) => _app.Guard(parsed, services =>
        {
            using var workspaceLock = services.LockWorkspace();
            var change = services.Trust().ForceUnlock(parsed.GetValue(lockId)!, parsed.GetValue(forceReason)!);
            RepositoryHint.Print(services, change, "trust-force-unlock", [("lock_id", parsed.GetValue(lockId)!.Trim()), ("reason", parsed.GetValue(forceReason)!.Trim())]);
            return Task.FromResult(ExitCodes.Success);
        }));

        command.Subcommands.Add(status);
        command.Subcommands.Add(lockCommand);
        command.Subcommands.Add(unlock);
        command.Subcommands.Add(force);
        return command;
    }

    private Command Brake()
    {
        var command = new Command("brake", "The safety brake: while engaged, no automated response runs.");

        var status = new Command("status", "Show whether the brake is engaged, since when and why.");
        status.SetAction((parsed, _) => _app.Guard(parsed, services =>
        {
            services.Brake().Status();
            return Task.FromResult(ExitCodes.Success);
        }));

        var engageReason = ReasonOption();
        var engage = new Command("engage", "Engage the brake (stops all automated responses).") { engageReason };
        engage.SetAction((parsed, _) => _app.Guard(parsed, services =>
        {
            using var workspaceLock = services.LockWorkspace();
            var change = services.Brake().Engage(parsed.GetValue(engageReason)!);
            RepositoryHint.Print(services, change, "brake-engage", [("reason", parsed.GetValue(engageReason)!.Trim())]);
            return Task.FromResult(ExitCodes.Success);
        }));

        var releaseReason = ReasonOption();
        var release = new Command("release", "Release the brake.") { releaseReason };
        release.SetAction((parsed, _) => _app.Guard(parsed, services =>
        {
            using var workspaceLock = services.LockWorkspace();
            var change = services.Brake().Release(parsed.GetValue(releaseReason)!);
            RepositoryHint.Print(services, change, "brake-release", [("reason", parsed.GetValue(releaseReason)!.Trim())]);
            return Task.FromResult(ExitCodes.Success);
        }));

        command.Subcommands.Add(status);
        command.Subcommands.Add(engage);
        command.Subcommands.Add(release);
        return command;
    }

    private Command Status()
    {
        var json = JsonOption();
        var command = new Command("status", "One screen: policy level, trust lock, brake, responses in the last 24 h, unlocks, last response.") { json };
        command.SetAction((parsed, _) => _app.Guard(parsed, services =>
        {
            var warnings = parsed.GetValue(json) ? services.Reporter.ToErrorStream() : services.Reporter;
            var report = StatusReader.Read(services.Store, services.Clock, warning => warnings.Warning(warning));
            Print(services, parsed.GetValue(json), () => JsonSerializer.Serialize(report, StatusJsonContext.Default.StatusReport), () => StatusText.Render(report, services.Store));

            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private Command VerifyLog()
    {
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "SEQ:SHA256 printed by an earlier run (job summary, commit message): also check the log still reaches that record unchanged, so truncation and rewrites show.",
        };
        var json = JsonOption();
        var command = new Command("verify-log", "Check the audit log's hash chain and report the first edited, inserted, reordered or deleted record. Exit 0 if intact, 2 if not.") { checkpoint, json };
        command.SetAction((parsed, _) => _app.Guard(parsed, services =>
        {
            ChainHead? expected = null;
            if (parsed.GetValue(checkpoint) is { } text)
            {
                expected = ChainHead.TryParse(text.Trim(), out var head)
                    ? head
                    : throw new UsageException($"--checkpoint '{text}' is not SEQ:SHA256 (a record number, a colon and 64 lower-case hex digits)");
            }

            var total = services.Store.AuditLog.Segments().Sum(segment => new FileInfo(segment.Path).Length);
            using var progress = ProgressLine.ForBytes(total, "verify-log", services.Reporter.Error, services.Context.ErrorIsTerminal);
            var verification = AuditLogVerifier.VerifyFile(services.Paths.AuditLog, expected, progress is null ? null : progress.Report, services.Paths.Relative, services.Paths.Root);
            Print(services, parsed.GetValue(json), () => JsonSerializer.Serialize(verification, StateJsonContext.Default.LogVerification), () => VerificationText.Render(verification, services.Paths.Relative(services.Paths.AuditLog)));

            return Task.FromResult(ExitCodeFor.Verification(verification));
        }));
        return command;
    }

    private Command Alerts()
    {
        var json = JsonOption();
        var command = new Command("alerts", "Evaluate the alert rules, write reports/policy_orchestration_alerts.json and the history log. Exit 1 when an alert at or above alerts.fail_on fires.") { json };
        command.SetAction((parsed, _) => _app.Guard(parsed, services =>
        {
            using var workspaceLock = services.LockWorkspace();
            var check = services.Alerts().Check(branchNames: null);
            var warnings = parsed.GetValue(json) ? services.Reporter.ToErrorStream() : services.Reporter;
            foreach (var warning in check.Warnings)
            {
                warnings.Warning(warning);
            }

            Print(services, parsed.GetValue(json), () => JsonSerializer.Serialize(check.Report, AlertJsonContext.Default.AlertReport), () => AlertText.Render(check));

            return Task.FromResult(ExitCodeFor.Alerts(check));
        }));
        return command;
    }

    private Command Run()
    {
        var command = new Command("run", "The action's pipeline: gate evaluation, response, alerts, commit of artifacts, outputs and job summary. Reads INPUT_* and the GitHub context like the action.");
        command.SetAction((parsed, cancellationToken) => _app.Guard(parsed, async services =>
        {
            var (run, github) = services.Action("run");
            using (github)
            {
                return ExitCodeFor.Action(await run.RunAsync(cancellationToken).ConfigureAwait(false));
            }
        }));
        return command;
    }

    private Command Action()
    {
        var command = new Command("action", "What the container action runs: reads INPUT_* and the GitHub event, runs the stages, writes outputs and the job summary.");
        command.SetAction((parsed, cancellationToken) => _app.Guard(parsed, async services =>
        {
            var (run, github) = services.Action(null);
            using (github)
            {
                return ExitCodeFor.Action(await run.RunAsync(cancellationToken).ConfigureAwait(false));
            }
        }));
        return command;
    }

    private Command Init()
    {
        var force = new Option<bool>("--force")
        {
            Description = "Replace a workflow that differs from what init writes. The configuration and the state files are never replaced.",
        };
        var action = new Option<string?>("--action")
        {
            Description = $"How the workflows refer to this action: OWNER/REPO@REF, best a release's commit SHA. Default: {Scaffolding.ActionReference.Default}. In files init already wrote, changes only the lines naming the action.",
        };
        var orchestration = new Option<string?>("--orchestration-workflow")
        {
            Description = "The name of your own workflow that writes state/policy_state.json: the response runner follows it, and no policy_orchestration.yml is written.",
        };
        var stateBranch = new Option<string?>("--state-branch")
        {
            Description = "Commit the state to this branch of its own (for a default branch that requires pull requests): the workflows set commit-branch to it and the orchestration pushes the level there.",
        };
        var command = new Command("init", "Scaffold a repository: .github/policy-response.yml, the workflows (orchestration, response runner, alerts, control), the state files. Keeps files that differ: --action repins them, --force replaces workflows.")
        {
            force, action, orchestration, stateBranch,
        };
        command.SetAction((parsed, _) => _app.Guard(parsed, services =>
        {
            var options = new Scaffolding.InitOptions(
                parsed.GetValue(action) is { } given ? Scaffolding.ActionReference.Parse(given, "--action") : Scaffolding.ActionReference.Default,
                parsed.GetValue(orchestration) is { } name ? Scaffolding.WorkflowTemplates.CheckOrchestrationName(name) : null,
                parsed.GetValue(force),
                parsed.GetValue(stateBranch) is { } branch ? Scaffolding.WorkflowTemplates.CheckStateBranch(branch) : null,
                ActionGiven: parsed.GetValue(action) is not null);

            // Only a workspace that already has state can have another command writing it; a new one gets no lock file.
            using var workspaceLock = Directory.Exists(Path.GetDirectoryName(services.Paths.LockFile)) ? services.LockWorkspace() : null;
            new Scaffolding.RepositoryInitializer(services.Paths, services.Clock, services.Reporter).Run(options);
            return Task.FromResult(ExitCodes.Success);
        }, WorkspaceDiscovery.Rule.Creates));
        return command;
    }

    private static Option<string> ReasonOption() => new("--reason", "-r")
    {
        Description = "Why (required, recorded in the audit log).",
        Required = true,
    };

    /// <summary>A command's result: its JSON document (inert for the runner), or its text for people.</summary>
    private static void Print(CommandServices services, bool asJson, Func<string> json, Func<string> text)
    {
        if (asJson)
        {
            services.Reporter.Json(json());
        }
        else
        {
            services.Reporter.Text(text());
        }
    }
}
