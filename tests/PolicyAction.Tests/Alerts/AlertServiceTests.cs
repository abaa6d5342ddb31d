using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using PolicyAction.Alerts;
using PolicyAction.Configuration;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Alerts;

public sealed class AlertServiceTests : IDisposable
{
    private readonly TempWorkspace _workspace = new TempWorkspace().WithConfig(TempWorkspace.MinimalConfig);
    private readonly FakeTimeProvider _clock = new(CliHarness.Now);

    private StateStore Store => new(new WorkspacePaths(_workspace.Root));

    public void Dispose() => _workspace.Dispose();

    private AlertCheck Check(IReadOnlyList<string>? branches = null) =>
        new AlertService(Store, ConfigLoader.Load(_workspace.ConfigPath).Alerts, _clock).Check(branches);

    private string[] History() =>
        _workspace.Exists("logs/policy_orchestration_alerts.jsonl")
            ? _workspace.Read("logs/policy_orchestration_alerts.jsonl").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            : [];

    [Fact]
    public void A_quiet_workspace_writes_the_report_and_no_history()
    {
        var check = Check();

        Assert.False(check.Failing);
        Assert.Empty(check.Changes);
        Assert.Empty(History());
        using var report = JsonDocument.Parse(_workspace.Read("reports/policy_orchestration_alerts.json"));
        var alerts = report.RootElement.GetProperty("alerts").EnumerateArray().ToArray();
        Assert.Equal(AlertIds.All, alerts.Select(a => a.GetProperty("id").GetString()));
        Assert.All(alerts, a => Assert.True(a.TryGetProperty("observed", out _) && a.TryGetProperty("threshold", out _) && a.TryGetProperty("severity", out _) && a.TryGetProperty("firing", out _)));
    }

    [Fact]
    public void State_changes_are_logged_once_fired_then_resolved()
    {
        Store.WriteBrake(new SafetyBrakeState { IsEngaged = true, EngagedAt = CliHarness.Now.AddHours(-5), Reason = "drill" });

        var fired = Check();
        var again = Check();
        Store.WriteBrake(new SafetyBrakeState { IsEngaged = false });
        _clock.Advance(TimeSpan.FromHours(1));
        var resolved = Check();

        Assert.True(fired.Failing);
        Assert.Equal("fired", Assert.Single(fired.Changes).Event);
        Assert.Empty(again.Changes);
        Assert.False(resolved.Failing);
        Assert.Equal("resolved", Assert.Single(resolved.Changes).Event);
        var history = History();
        Assert.Equal(2, history.Length);
        Assert.Contains("\"alert\":\"brake_engaged\",\"event\":\"fired\"", history[0], StringComparison.Ordinal);
        Assert.Contains("\"event\":\"resolved\"", history[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_fix_branch_counts_from_when_it_was_first_seen()
    {
        var first = Check(["fix/a"]);
        _clock.Advance(TimeSpan.FromHours(25));
        var later = Check(["fix/a", "fix/b"]);
        _clock.Advance(TimeSpan.FromHours(25));
        var quiet = Check(["fix/a", "fix/b"]);

        Assert.True(first.Report.Alerts.Single(a => a.Id == AlertIds.FixBranches).Firing);
        var alert = later.Report.Alerts.Single(a => a.Id == AlertIds.FixBranches);
        Assert.Equal(["fix/b"], alert.Evidence.Select(e => e.What));
        Assert.False(quiet.Report.Alerts.Single(a => a.Id == AlertIds.FixBranches).Firing);
        Assert.Equal(CliHarness.Now, quiet.Report.FixBranchesSeen.Single(b => b.Name == "fix/a").FirstSeen);
    }

    private AlertCheck Check(AlertSettings settings) => new AlertService(Store, settings, _clock).Check(null);

    private static AlertSettings SilencingTheBrake(DateTimeOffset until) =>
        AlertSettings.Default with { Silences = [new Silence(AlertIds.BrakeEngaged, until, "drill")] };

    private AlertHistoryRecord[] HistoryRecords() =>
        History().Select(line => JsonSerializer.Deserialize(line, AlertHistoryJsonContext.Default.AlertHistoryRecord)!).ToArray();

    [Fact]
    public void A_silence_that_expires_while_its_alert_fires_is_logged_once_and_the_check_fails_from_then_on()
    {
        Store.WriteBrake(new SafetyBrakeState { IsEngaged = true, EngagedAt = CliHarness.Now.AddHours(-5), Reason = "drill" });
        var settings = SilencingTheBrake(CliHarness.Now.AddHours(1));

        var silenced = Check(settings);
        _clock.Advance(TimeSpan.FromHours(2));
        var expired = Check(settings);
        var next = Check(settings);

        Assert.False(silenced.Failing);
        Assert.True(expired.Failing);
        var ended = Assert.Single(expired.Changes);
        Assert.Equal(("silence_ended", "the silence until 2026-11-24T06:00:00Z expired (drill); the alert is active"), (ended.Event, ended.Detail));
        Assert.Empty(next.Changes);
        Assert.Equal(["fired", "silence_ended"], HistoryRecords().Select(r => r.Event));
    }

    [Fact]
    public void A_silence_removed_from_the_configuration_while_its_alert_fires_is_logged()
    {
        Store.WriteBrake(new SafetyBrakeState { IsEngaged = true, EngagedAt = CliHarness.Now.AddHours(-5), Reason = "drill" });

        Check(SilencingTheBrake(CliHarness.Now.AddDays(1)));
        _clock.Advance(TimeSpan.FromMinutes(5));
        var removed = Check(AlertSettings.Default);
        var next = Check(AlertSettings.Default);

        Assert.True(removed.Failing);
        var ended = Assert.Single(removed.Changes);
        Assert.Equal("silence_ended", ended.Event);
        Assert.Equal("the silence until 2026-11-25T05:00:00Z was removed from the configuration (drill); the alert is active", ended.Detail);
        Assert.Empty(next.Changes);
    }

    [Fact]
    public void The_start_and_end_of_an_inhibition_are_logged_once()
    {
        foreach (var ago in ThreeRecent.Prepend(TimeSpan.FromHours(4)))
        {
            Block(ago);
        }

        var active = Check(AlertSettings.Default);
        Store.WriteBrake(new SafetyBrakeState { IsEngaged = true, EngagedAt = CliHarness.Now, Reason = "drill" });
        var inhibited = Check(AlertSettings.Default);
        Store.WriteBrake(new SafetyBrakeState { IsEngaged = false });
        _clock.Advance(TimeSpan.FromMinutes(30));
        var released = Check(AlertSettings.Default);
        var next = Check(AlertSettings.Default);

        Assert.True(active.Report.Alerts.Single(a => a.Id == AlertIds.BlockedStreak).Active);
        var start = Assert.Single(inhibited.Changes);
        Assert.Equal((AlertIds.BlockedStreak, "inhibited", "inhibited by brake_engaged"), (start.Alert, start.Event, start.Detail));
        var ended = Assert.Single(released.Changes);
        Assert.Equal((AlertIds.BlockedStreak, "inhibition_ended", "no longer inhibited by brake_engaged; the alert is active"), (ended.Alert, ended.Event, ended.Detail));
        Assert.Empty(next.Changes);
        Assert.Equal(["fired", "inhibited", "inhibition_ended"], HistoryRecords().Select(r => r.Event));
    }

    private void Block(TimeSpan ago) =>
        Store.AuditLog.Append(new AuditRecord { Timestamp = CliHarness.Now - ago, Event = AuditEvents.ResponseBlocked, Policy = "RED", Mode = "dry-run", BlockedBy = ["trust_guard"] });

    private static readonly TimeSpan[] ThreeRecent = [TimeSpan.FromHours(3), TimeSpan.FromHours(2), TimeSpan.FromHours(1)];

    [Fact]
    public void A_block_older_than_the_31_days_does_not_complete_a_streak()
    {
        Block(TimeSpan.FromDays(40));
        foreach (var ago in ThreeRecent)
        {
            Block(ago);
        }

        var alert = Check().Report.Alerts.Single(a => a.Id == AlertIds.BlockedStreak);

        Assert.False(alert.Firing);
        Assert.StartsWith("3 consecutive", alert.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_block_inside_the_window_behind_an_older_one_is_found_thanks_to_the_ordering_allowance_and_the_older_one_does_not_count()
    {
        // Merged branches: the block a minute inside the window was written before one an hour outside it.
        var inside = AlertEvaluator.LookBack - TimeSpan.FromMinutes(1);
        Block(inside);
        Block(AlertEvaluator.LookBack + TimeSpan.FromHours(1));
        foreach (var ago in ThreeRecent)
        {
            Block(ago);
        }

        var alert = Check().Report.Alerts.Single(a => a.Id == AlertIds.BlockedStreak);

        Assert.True(alert.Firing);
        Assert.Equal([CliHarness.Now - inside, .. ThreeRecent.Select(ago => CliHarness.Now - ago)], alert.Evidence.Select(e => e.At));
    }

    [Fact]
    public void A_report_written_by_an_earlier_version_with_its_internal_field_still_reads()
    {
        Check();
        var written = System.Text.Json.Nodes.JsonNode.Parse(_workspace.Read("reports/policy_orchestration_alerts.json"))!;
        written["alerts"]![0]!["parsed_severity"] = "High";
        _workspace.Write("reports/policy_orchestration_alerts.json", written.ToJsonString());

        var again = Check();

        Assert.Empty(again.Changes);
        Assert.DoesNotContain("parsed_severity", _workspace.Read("reports/policy_orchestration_alerts.json"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_previous_report_fails_closed_and_is_left_alone()
    {
        _workspace.Write("reports/policy_orchestration_alerts.json", "{\"alerts\": [");

        Assert.Throws<StateFileException>(() => Check());
        Assert.Equal("{\"alerts\": [", _workspace.Read("reports/policy_orchestration_alerts.json"));
    }
}
