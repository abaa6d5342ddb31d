using System.Globalization;

namespace PolicyAction.Orchestrator;

/// <summary>
/// What a provider read for a signal: a number, nothing (the file, the pointer's value or the thing counted does not
/// exist: a known answer that only <c>exists</c> and <c>missing</c> can judge), or unknown (the provider failed or
/// was refused; never read as zero).
/// </summary>
internal sealed record SignalReading
{
    private SignalReading(double? value, string? unknownReason, string? detail, bool isDuration)
    {
        Value = value;
        UnknownReason = unknownReason;
        Detail = detail;
        IsDuration = isDuration;
    }

    /// <summary>The number; null when absent or unknown.</summary>
    public double? Value { get; }

    /// <summary>Why the value is unknown (e.g. the permission the token lacks); null when it is known.</summary>
    public string? UnknownReason { get; }

    /// <summary>What was read, for people (e.g. "3 of 12 runs failed"); may be null.</summary>
    public string? Detail { get; }

    /// <summary>The value is seconds (an age): shown as a duration.</summary>
    public bool IsDuration { get; }

    public bool IsUnknown => UnknownReason is not null;

    public bool IsAbsent => UnknownReason is null && Value is null;

    public static SignalReading Number(double value, string? detail = null) => new(value, null, detail, false);

    public static SignalReading Seconds(double seconds, string? detail = null) => new(seconds, null, detail, true);

    public static SignalReading Absent(string detail) => new(null, null, detail, false);

    public static SignalReading Unknown(string reason) => new(null, reason, null, false);

    /// <summary>The value as the summary and the CLI show it.</summary>
    public string Display => this switch
    {
        { IsUnknown: true } => "unknown",
        { Value: null } => "absent",
        { IsDuration: true, Value: { } seconds } => Output.Durations.Format(TimeSpan.FromSeconds(Math.Round(seconds))),
        { Value: { } number } => FormatNumber(number),
    };

    public static string FormatNumber(double number) =>
        number == Math.Floor(number) && Math.Abs(number) < 1e15
            ? number.ToString("0", CultureInfo.InvariantCulture)
            : number.ToString("0.####", CultureInfo.InvariantCulture);
}
