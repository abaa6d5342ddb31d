using Microsoft.Extensions.Time.Testing;
using PolicyAction.Orchestrator;
using PolicyAction.Orchestrator.Providers;
using PolicyAction.State;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Orchestrator;

/// <summary>
/// File signals read real files beneath a temp workspace: the number at a pointer, existence and age; a missing file
/// is absent, and a link out of the workspace, a FIFO, a folder, a file too large or not JSON is unknown naming the
/// file, for every measure, never zero and never followed.
/// </summary>
public sealed class FileSignalProviderTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 5, 0, 0, TimeSpan.Zero);

    private readonly TempWorkspace _workspace = new();
    private readonly TempWorkspace _outside = new TempWorkspace().Write("inner/report.json", """{"failed": 0, "updated_at": "2026-12-07T04:59:00Z"}""");
    private readonly FakeTimeProvider _clock = new(Now);

    public void Dispose()
    {
        BeneathWorkspace.UseOpenat2 = true;
        _workspace.Dispose();
        _outside.Dispose();
    }

    private Task<SignalReading> ReadAsync(string path, FileMeasure measure, string? pointer = null) =>
        new FileSignalProvider(new WorkspacePaths(_workspace.Root), _clock)
            .ReadAsync(new SignalDefinition("anchor", null, new FileSource(path, measure, pointer), null, null, Persistence.Immediately, false, null), CancellationToken.None);

    private static void AssertUnknown(SignalReading reading, string reason)
    {
        Assert.True(reading.IsUnknown, $"expected unknown, got {reading.Display} ({reading.Detail})");
        Assert.Null(reading.Value);
        Assert.Equal(reason, reading.UnknownReason);
    }

    /// <summary>Each way a file can be read: every measure, with a pointer and without.</summary>
    public static TheoryData<string, string?> Measures => new()
    {
        { nameof(FileMeasure.Number), "/failed" },
        { nameof(FileMeasure.Number), null },
        { nameof(FileMeasure.Exists), null },
        { nameof(FileMeasure.Exists), "/failed" },
        { nameof(FileMeasure.Age), null },
        { nameof(FileMeasure.Age), "/updated_at" },
    };

    [Fact]
    public void It_reads_file_signals_only()
    {
        var provider = new FileSignalProvider(new WorkspacePaths(_workspace.Root), _clock);

        Assert.True(provider.Reads(new FileSource("report.json", FileMeasure.Exists, null)));
        Assert.False(provider.Reads(new CommandSource(["/bin/true"], 60, CommandValue.ExitCode, null)));
    }

    [Theory]
    [InlineData("""{"failed": 3}""", "/failed", 3)]
    [InlineData("""{"summary": {"ratio": 0.25}}""", "/summary/ratio", 0.25)]
    [InlineData("""{"ok": false}""", "/ok", 0)]
    [InlineData("""{"count": "12"}""", "/count", 12)]
    [InlineData("""{"items": [5, 6]}""", "/items/1", 6)]
    [InlineData("42\n", null, 42)]
    [InlineData("\uFEFF{\"failed\": 1}", "/failed", 1)]
    public async Task The_number_at_the_pointer_is_the_value(string content, string? at, double expected)
    {
        _workspace.Write("reports/check.json", content);

        var reading = await ReadAsync("reports/check.json", FileMeasure.Number, at);

        Assert.Equal(expected, reading.Value);
        Assert.False(reading.IsDuration);
    }

    [Theory]
    [InlineData("""{"failed": null}""", "/failed", "reports/check.json at /failed is null")]
    [InlineData("""{"passed": 3}""", "/failed", "nothing at reports/check.json at /failed: the document has no member 'failed'")]
    public async Task Null_or_nothing_at_the_pointer_is_absent(string content, string at, string detail)
    {
        _workspace.Write("reports/check.json", content);

        var reading = await ReadAsync("reports/check.json", FileMeasure.Number, at);

        Assert.True(reading.IsAbsent);
        Assert.Equal(detail, reading.Detail);
    }

    [Theory]
    [MemberData(nameof(Measures))]
    public async Task A_missing_file_is_absent_for_every_measure(string measure, string? at)
    {
        var inMissingFolder = await ReadAsync("nowhere/report.json", Enum.Parse<FileMeasure>(measure), at);
        var missing = await ReadAsync("report.json", Enum.Parse<FileMeasure>(measure), at);

        Assert.True(inMissingFolder.IsAbsent);
        Assert.Equal("nowhere/report.json does not exist", inMissingFolder.Detail);
        Assert.True(missing.IsAbsent);
        Assert.Equal("report.json does not exist", missing.Detail);
    }

    [Theory]
    [InlineData("not json", "report.json is not JSON: ")]
    [InlineData("", "report.json is not JSON: ")]
    [InlineData("""{"failed": 1, "failed": 0}""", "report.json is not JSON: ")]
    [InlineData("""{"failed": 1,}""", "report.json is not JSON: ")]
    [InlineData("""{"failed": [1]}""", "report.json at /failed is an array, not a number")]
    [InlineData("""{"failed": "a few"}""", "report.json at /failed is the text 'a few', not a number")]
    [InlineData("""{"failed": 2}""", "'failed' is not a JSON pointer")]
    public async Task A_file_that_gives_no_number_is_unknown_naming_it(string content, string reasonStart)
    {
        _workspace.Write("report.json", content);

        var reading = await ReadAsync("report.json", FileMeasure.Number, reasonStart.StartsWith('\'') ? "failed" : "/failed");

        Assert.True(reading.IsUnknown);
        Assert.Null(reading.Value);
        Assert.StartsWith(reasonStart, reading.UnknownReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_that_are_not_utf8_are_not_json()
    {
        _workspace.WriteBytes("report.json", [(byte)'{', (byte)'"', 0xFF, (byte)'"', (byte)':', (byte)'1', (byte)'}']);

        AssertUnknown(await ReadAsync("report.json", FileMeasure.Number, "/x"), "report.json is not JSON: byte 2 is not UTF-8");
    }

    [Theory]
    [MemberData(nameof(Measures))]
    public async Task A_file_that_is_a_link_out_of_the_workspace_is_unknown_for_every_measure(string measure, string? at)
    {
        File.CreateSymbolicLink(_workspace.PathOf("report.json"), _outside.PathOf("inner/report.json"));

        var reading = await ReadAsync("report.json", Enum.Parse<FileMeasure>(measure), at);

        AssertUnknown(reading, "report.json: is a symbolic link; the tool's files are never opened through links");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_folder_on_the_way_that_is_a_link_is_unknown(bool openat2)
    {
        BeneathWorkspace.UseOpenat2 = openat2;
        Directory.CreateSymbolicLink(_workspace.PathOf("data"), _outside.PathOf("inner"));

        var number = await ReadAsync("data/report.json", FileMeasure.Number, "/failed");
        var exists = await ReadAsync("data/report.json", FileMeasure.Exists);
        var age = await ReadAsync("data/report.json", FileMeasure.Age);

        Assert.All([number, exists, age], reading => AssertUnknown(reading, "data/report.json: passes through the symbolic link 'data'; the tool's files are never opened through links"));
    }

    [Theory]
    [MemberData(nameof(Measures))]
    public async Task A_fifo_is_unknown_at_once_for_every_measure(string measure, string? at)
    {
        Assert.Equal(0, (await ExternalProcess.RunAsync("mkfifo", [_workspace.PathOf("report.json")], _workspace.Root)).ExitCode);

        // Opening a FIFO without a writer waits forever: the reading must come back without one.
        var reading = await Task.Run(() => ReadAsync("report.json", Enum.Parse<FileMeasure>(measure), at)).WaitAsync(TimeSpan.FromSeconds(10));

        AssertUnknown(reading, "report.json: is not a regular file (a FIFO, a device or a socket); the tool opens only regular files");
    }

    [Theory]
    [MemberData(nameof(Measures))]
    public async Task A_folder_at_the_path_is_unknown_for_every_measure(string measure, string? at)
    {
        Directory.CreateDirectory(_workspace.PathOf("report.json"));

        var reading = await ReadAsync("report.json", Enum.Parse<FileMeasure>(measure), at);

        Assert.True(reading.IsUnknown, reading.Display);
        Assert.StartsWith("report.json", reading.UnknownReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_larger_than_the_bound_is_unknown_when_it_would_be_read()
    {
        var big = new byte[FileSignalProvider.MaxFileBytes + 1];
        Array.Fill(big, (byte)' ');
        big[0] = (byte)'1';
        _workspace.WriteBytes("big.json", big);
        File.SetLastWriteTimeUtc(_workspace.PathOf("big.json"), Now.UtcDateTime.AddHours(-1));

        var number = await ReadAsync("big.json", FileMeasure.Number);
        var exists = await ReadAsync("big.json", FileMeasure.Exists);
        var age = await ReadAsync("big.json", FileMeasure.Age);

        AssertUnknown(number, $"big.json: is {FileSignalProvider.MaxFileBytes + 1} bytes, larger than the {FileSignalProvider.MaxFileBytes}-byte limit for this file");

        // Existence and the modification time do not read the content.
        Assert.Equal(1, exists.Value);
        Assert.Equal(3600, age.Value);
    }

    [Theory]
    [InlineData("../outside.json")]
    [InlineData("reports/../../outside.json")]
    public async Task A_path_that_leaves_the_workspace_is_unknown(string path)
    {
        var reading = await ReadAsync(path, FileMeasure.Number);

        AssertUnknown(reading, $"{path}: is not inside {_workspace.Root}; the tool's files are opened only beneath the workspace");
    }

    [Fact]
    public async Task An_absolute_path_outside_the_workspace_is_unknown()
    {
        var path = _outside.PathOf("inner/report.json");

        var reading = await ReadAsync(path, FileMeasure.Number, "/failed");

        Assert.True(reading.IsUnknown);
        Assert.Contains("the tool's files are opened only beneath the workspace", reading.UnknownReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"marker": 1}""", null, 1.0)]
    [InlineData("", null, 1.0)]
    [InlineData("""{"marker": 0}""", "/marker", 1.0)]
    [InlineData("""{"marker": false}""", "/marker", 1.0)]
    [InlineData("""{"marker": {}}""", "/marker", 1.0)]
    [InlineData("""{"marker": null}""", "/marker", null)]
    [InlineData("""{"other": 1}""", "/marker", null)]
    public async Task Exists_is_1_when_the_file_or_the_value_at_the_pointer_is_there_and_absent_when_not(string content, string? at, double? expected)
    {
        _workspace.Write("flags/incident.json", content);

        var reading = await ReadAsync("flags/incident.json", FileMeasure.Exists, at);

        Assert.False(reading.IsUnknown, reading.UnknownReason);
        Assert.Equal(expected, reading.Value);
        Assert.Equal(expected is null, reading.IsAbsent);
    }

    [Fact]
    public async Task Exists_with_a_pointer_needs_json()
    {
        _workspace.Write("flags/incident.json", "yes");

        var reading = await ReadAsync("flags/incident.json", FileMeasure.Exists, "/marker");

        Assert.True(reading.IsUnknown);
        Assert.StartsWith("flags/incident.json is not JSON: ", reading.UnknownReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-12-06T05:00:00Z", 86400)]
    [InlineData("2026-12-06T07:00:00+02:00", 86400)]
    [InlineData("2026-12-06T05:00:00", 86400)]
    [InlineData("2026-12-06 05:00:00Z", 86400)]
    [InlineData("2026-12-07T04:59:59.500Z", 0.5)]
    [InlineData("2026-12-07T04:59:59.500000000Z", 0.5)]
    [InlineData("2026-12-05", 190800)]
    [InlineData("2026-12-07T05:00:00Z", 0)]
    [InlineData("2026-12-07T05:04:00Z", 0)]
    public async Task Age_is_the_seconds_since_the_timestamp_at_the_pointer(string timestamp, double seconds)
    {
        _workspace.Write("anchors/anchor_chain.json", $$"""{"updated_at": "{{timestamp}}"}""");

        var reading = await ReadAsync("anchors/anchor_chain.json", FileMeasure.Age, "/updated_at");

        Assert.False(reading.IsUnknown, reading.UnknownReason);
        Assert.Equal(seconds, reading.Value!.Value, 3);
        Assert.True(reading.IsDuration);
    }

    [Fact]
    public async Task Age_follows_the_clock()
    {
        _workspace.Write("anchors/anchor_chain.json", """{"updated_at": "2026-12-07T05:00:00Z"}""");
        _clock.Advance(TimeSpan.FromHours(27));

        var reading = await ReadAsync("anchors/anchor_chain.json", FileMeasure.Age, "/updated_at");

        Assert.Equal(27 * 3600, reading.Value);
        Assert.True(Condition.TryParse("> 26h", out _)!.IsMetBy(reading));
        Assert.False(Condition.TryParse("> 3d", out _)!.IsMetBy(reading));
    }

    [Theory]
    [InlineData("\"yesterday\"", "anchors/anchor_chain.json at /updated_at is 'yesterday', not a timestamp; expected ISO 8601 such as \"2026-12-07T04:45:00Z\" (no offset: UTC)")]
    [InlineData("\"12/06/2026\"", "anchors/anchor_chain.json at /updated_at is '12/06/2026', not a timestamp; expected ISO 8601 such as \"2026-12-07T04:45:00Z\" (no offset: UTC)")]
    [InlineData("\"2026-13-40T00:00:00Z\"", "anchors/anchor_chain.json at /updated_at is '2026-13-40T00:00:00Z', not a timestamp; expected ISO 8601 such as \"2026-12-07T04:45:00Z\" (no offset: UTC)")]
    [InlineData("1733520000", "anchors/anchor_chain.json at /updated_at is a number, not a timestamp; expected ISO 8601 such as \"2026-12-07T04:45:00Z\" (no offset: UTC)")]
    [InlineData("{}", "anchors/anchor_chain.json at /updated_at is an object, not a timestamp; expected ISO 8601 such as \"2026-12-07T04:45:00Z\" (no offset: UTC)")]
    [InlineData("\"2026-12-08T05:00:00Z\"", "anchors/anchor_chain.json at /updated_at is 1d in the future (2026-12-08T05:00:00Z)")]
    [InlineData("\"2099-01-01T05:00:00Z\"", "anchors/anchor_chain.json at /updated_at is 26323d in the future (2099-01-01T05:00:00Z)")]
    public async Task A_value_that_is_no_timestamp_or_in_the_future_is_unknown(string value, string reason)
    {
        _workspace.Write("anchors/anchor_chain.json", $$"""{"updated_at": {{value}}}""");

        AssertUnknown(await ReadAsync("anchors/anchor_chain.json", FileMeasure.Age, "/updated_at"), reason);
    }

    [Fact]
    public async Task A_null_or_missing_timestamp_is_absent()
    {
        _workspace.Write("a.json", """{"updated_at": null}""").Write("b.json", """{"other": 1}""");

        Assert.True((await ReadAsync("a.json", FileMeasure.Age, "/updated_at")).IsAbsent);
        Assert.True((await ReadAsync("b.json", FileMeasure.Age, "/updated_at")).IsAbsent);
    }

    [Fact]
    public async Task Age_without_a_pointer_is_the_seconds_since_the_file_was_modified()
    {
        _workspace.Write("heartbeat.txt", "not json at all");
        File.SetLastWriteTimeUtc(_workspace.PathOf("heartbeat.txt"), Now.UtcDateTime.AddHours(-3));

        var reading = await ReadAsync("heartbeat.txt", FileMeasure.Age);

        Assert.Equal(10800, reading.Value);
        Assert.True(reading.IsDuration);
        Assert.Equal("3h", reading.Display);
    }

    [Fact]
    public async Task A_modification_time_in_the_future_is_unknown()
    {
        _workspace.Write("heartbeat.txt", "x");
        File.SetLastWriteTimeUtc(_workspace.PathOf("heartbeat.txt"), Now.UtcDateTime.AddDays(2));

        AssertUnknown(await ReadAsync("heartbeat.txt", FileMeasure.Age), "heartbeat.txt's modification time is 2d in the future (2026-12-09T05:00:00Z)");
    }
}
