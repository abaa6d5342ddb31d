using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PolicyAction.State;

namespace PolicyAction.Orchestrator.Providers;

/// <summary>
/// Reads <c>file</c> signals from a workspace file, opened beneath the workspace as the tool's own files are
/// (<see cref="BeneathWorkspace"/>: never through a symbolic link, regular files only, at most 1 MiB): the number at a
/// JSON pointer, whether the file (or the pointer's value) exists, or an age in seconds (since the timestamp at the
/// pointer, or since the file was modified). A missing file is absent; one that cannot be read as asked (a link, a
/// FIFO, a folder, too large, not JSON, no timestamp at the pointer) is unknown, with a reason naming the file.
/// </summary>
/// <remarks>
/// A file's modification time is when it was last written in this checkout: a clone gives every tracked file the time
/// of the checkout, so an age without a pointer suits files that jobs write (a report, a heartbeat), not committed ones.
/// </remarks>
internal sealed partial class FileSignalProvider(WorkspacePaths paths, TimeProvider clock) : ISignalProvider
{
    /// <summary>A signal file is data for one number, not a data set: anything larger is refused, not read.</summary>
    public const long MaxFileBytes = 1024 * 1024;

    /// <summary>How far in the future a timestamp may be (clocks differ) and still count as now; beyond it the age is unknown.</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    public bool Reads(SignalSource source) => source is FileSource;

    public Task<SignalReading> ReadAsync(SignalDefinition signal, CancellationToken cancellationToken)
    {
        if (signal.Source is not FileSource source)
        {
            throw new ArgumentException($"signal {signal.Id} is not a file signal", nameof(signal));
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Read(source));
    }

    private SignalReading Read(FileSource source)
    {
        try
        {
            return (source.Measure, source.Pointer) switch
            {
                (FileMeasure.Exists, null) => Exists(source.Path),
                (FileMeasure.Age, null) => SinceModified(source.Path),
                _ => FromJson(source),
            };
        }
        catch (FileNotFoundException)
        {
            return Missing(source.Path);
        }
        catch (StateFileException e)
        {
            return SignalReading.Unknown(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // BeneathWorkspace names the file in its messages; anything else gets the name put in front.
            return SignalReading.Unknown(e.Message.Contains(source.Path, StringComparison.Ordinal) ? e.Message : $"{source.Path}: {e.Message}");
        }
    }

    /// <summary>Opening it (not only looking) is what proves it is a regular file inside the workspace, not a link, a FIFO or a folder.</summary>
    private SignalReading Exists(string path)
    {
        using var stream = BeneathWorkspace.OpenRead(paths.Root, path, path);
        return SignalReading.Number(1, $"{path} exists");
    }

    private SignalReading SinceModified(string path)
    {
        DateTimeOffset modified;
        using (var stream = BeneathWorkspace.OpenRead(paths.Root, path, path))
        {
            // From the open handle: the file judged is the file opened, not whatever is at the name a moment later.
            modified = new DateTimeOffset(File.GetLastWriteTimeUtc(stream.SafeFileHandle), TimeSpan.Zero);
        }

        return Age(modified, $"{path} was modified {Iso(modified)}", $"{path}'s modification time");
    }

    private SignalReading FromJson(FileSource source)
    {
        var content = BeneathWorkspace.Read(paths.Root, source.Path, MaxFileBytes, source.Path);
        if (content is null)
        {
            return Missing(source.Path);
        }

        using var document = SignalValues.ParseJson(content.Bytes, out var problem);
        if (document is null)
        {
            return SignalReading.Unknown($"{source.Path} is not JSON: {problem}");
        }

        var pointer = source.Pointer ?? string.Empty;
        return source.Measure switch
        {
            FileMeasure.Number => SignalValues.NumberAt(document.RootElement, pointer, source.Path),
            FileMeasure.Exists => ValueExists(document.RootElement, pointer, source.Path),
            _ => SinceTimestamp(document.RootElement, pointer, source.Path),
        };
    }

    private static SignalReading ValueExists(JsonElement document, string pointer, string path)
    {
        var match = JsonPointer.Resolve(document, pointer);
        var at = SignalValues.Where(path, pointer);
        return !match.IsFound ? SignalValues.NotFound(match, at)
            : match.Value.ValueKind == JsonValueKind.Null ? SignalReading.Absent($"{at} is null")
            : SignalReading.Number(1, $"{at} exists");
    }

    private SignalReading SinceTimestamp(JsonElement document, string pointer, string path)
    {
        var match = JsonPointer.Resolve(document, pointer);
        var at = SignalValues.Where(path, pointer);
        if (!match.IsFound)
        {
            return SignalValues.NotFound(match, at);
        }

        var value = match.Value;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return SignalReading.Absent($"{at} is null");
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return SignalReading.Unknown($"{at} is {JsonPointer.KindName(value.ValueKind)}, not a timestamp; {TimestampExpected}");
        }

        var text = value.GetString()!;
        return TryParseTimestamp(text, out var timestamp)
            ? Age(timestamp, $"{at} is {text}", at)
            : SignalReading.Unknown($"{at} is '{SignalValues.Excerpt(text)}', not a timestamp; {TimestampExpected}");
    }

    private const string TimestampExpected = "expected ISO 8601 such as \"2026-12-07T04:45:00Z\" (no offset: UTC)";

    private SignalReading Age(DateTimeOffset since, string detail, string what)
    {
        var age = clock.GetUtcNow() - since;
        if (age < -FutureTolerance)
        {
            // A date in the future would keep an age check calm forever: that is a broken clock or a typo, not fresh.
            return SignalReading.Unknown($"{what} is {Output.Durations.Format(TimeSpan.FromSeconds(Math.Round(-age.TotalSeconds)))} in the future ({Iso(since)})");
        }

        return SignalReading.Seconds(Math.Max(0, age.TotalSeconds), detail);
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static SignalReading Missing(string path) => SignalReading.Absent($"{path} does not exist");

    /// <summary>
    /// An ISO 8601 date and time (<c>2026-12-07T04:45:00Z</c>, <c>…+02:00</c>, a fraction of any length, a space for
    /// the T) or a date; without an offset it is UTC. Anything else (a locale's date, epoch seconds) is refused rather than guessed.
    /// </summary>
    internal static bool TryParseTimestamp(string text, out DateTimeOffset timestamp)
    {
        timestamp = default;
        var match = Iso8601().Match(text);
        if (!match.Success)
        {
            return false;
        }

        // .NET reads at most seven fractional digits; Go and Python print up to nine.
        var fraction = match.Groups["fraction"].Value;
        var normalized = fraction.Length > 8 ? text.Replace(fraction, fraction[..8], StringComparison.Ordinal) : text;
        return DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out timestamp);
    }

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?<fraction>\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?$")]
    private static partial Regex Iso8601();
}
