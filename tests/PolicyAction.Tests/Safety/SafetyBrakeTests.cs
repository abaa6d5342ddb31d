using Microsoft.Extensions.Time.Testing;
using PolicyAction.Output;
using PolicyAction.Safety;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Safety;

public sealed class SafetyBrakeTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();
    private readonly FakeTimeProvider _clock = new(CliHarness.Now);
    private readonly StringWriter _output = new();

    private StateStore Store => new(new WorkspacePaths(_workspace.Root));

    public void Dispose()
    {
        _workspace.Dispose();
        _output.Dispose();
    }

    private SafetyBrake Brake() =>
        new(Store, _clock, new Reporter(_output, _output), RunContext.FromVariables(new Dictionary<string, string>(), "carol"));

    [Fact]
    public void Engage_then_release_records_both_and_logs_both()
    {
        Brake().Engage("suspicious diff");
        var engaged = Store.ReadBrake();
        Assert.True(engaged.IsEngaged);
        Assert.Equal(("carol", "suspicious diff", CliHarness.Now), (engaged.EngagedBy, engaged.Reason, engaged.EngagedAt!.Value));

        _clock.Advance(TimeSpan.FromHours(2));
        Brake().Release("false alarm");

        var released = Store.ReadBrake();
        Assert.False(released.IsEngaged);
        Assert.Equal(("carol", "false alarm", CliHarness.Now.AddHours(2)), (released.ReleasedBy, released.ReleaseReason, released.ReleasedAt!.Value));
        Assert.Equal([AuditEvents.BrakeEngaged, AuditEvents.BrakeReleased], Store.AuditLog.Read().Records.Select(r => r.Event));
    }

    [Fact]
    public void Status_shows_how_long_it_has_been_engaged()
    {
        Brake().Engage("drill");
        _clock.Advance(TimeSpan.FromHours(5));

        Brake().Status();

        Assert.Contains("ENGAGED", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("5.0 h", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_reason_is_required()
    {
        Assert.Throws<UsageException>(() => Brake().Engage(" "));
        Assert.False(_workspace.Exists("forensics/safety_brake_state.json"));
    }
}
