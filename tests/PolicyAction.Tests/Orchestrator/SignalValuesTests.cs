using PolicyAction.Orchestrator;
using PolicyAction.Orchestrator.Providers;

namespace PolicyAction.Tests.Orchestrator;

/// <summary>
/// What a command or file signal reads at a pointer: numbers, booleans and numeric text as numbers; null and nothing as
/// absent; anything else unknown with the reason, never zero. Also the number and JSON parsing both providers share.
/// </summary>
public sealed class SignalValuesTests
{
    private const string Document = """
        {"count": 3, "ratio": 0.25, "negative": -2, "exp": 1.5e3, "big": 1e400, "yes": true, "no": false,
         "text_number": "42", "padded": " 7 ", "word": "three", "empty": "", "nan": "NaN", "inf": "Infinity", "comma": "1,5",
         "nothing": null, "object": {"inner": 1}, "array": [1, 2]}
        """;

    public static TheoryData<string, double> Numbers => new()
    {
        { "/count", 3 },
        { "/ratio", 0.25 },
        { "/negative", -2 },
        { "/exp", 1500 },
        { "/yes", 1 },
        { "/no", 0 },
        { "/text_number", 42 },
        { "/padded", 7 },
        { "/object/inner", 1 },
        { "/array/1", 2 },
    };

    [Theory]
    [MemberData(nameof(Numbers))]
    public void Numbers_booleans_and_numeric_text_are_numbers(string at, double expected)
    {
        var reading = NumberAt(at);

        Assert.Equal(expected, reading.Value);
        Assert.False(reading.IsUnknown);
        Assert.False(reading.IsDuration);
    }

    public static TheoryData<string, string> Absent => new()
    {
        { "/nothing", "report.json at /nothing is null" },
        { "/missing", "nothing at report.json at /missing: the document has no member 'missing'" },
        { "/array/5", "nothing at report.json at /array/5: the array at /array has 2 element(s), none at index 5" },
        { "/nothing/deeper", "nothing at report.json at /nothing/deeper: /nothing is null" },
    };

    [Theory]
    [MemberData(nameof(Absent))]
    public void Null_and_nothing_there_are_absent(string at, string detail)
    {
        var reading = NumberAt(at);

        Assert.True(reading.IsAbsent);
        Assert.Equal(detail, reading.Detail);
    }

    public static TheoryData<string, string> Unknown => new()
    {
        { "/word", "report.json at /word is the text 'three', not a number" },
        { "/empty", "report.json at /empty is the text '', not a number" },
        { "/nan", "report.json at /nan is the text 'NaN', not a number" },
        { "/inf", "report.json at /inf is the text 'Infinity', not a number" },
        { "/comma", "report.json at /comma is the text '1,5', not a number" },
        { "/big", "report.json at /big is 1e400, a number too large to use" },
        { "/object", "report.json at /object is an object, not a number; point at a number inside it" },
        { "/array", "report.json at /array is an array, not a number; point at a number inside it" },
        { "", "report.json is an object, not a number; point at a number inside it" },
        { "/count/x", "report.json at /count/x cannot be read: /count is a number, which has no member 'x'" },
        { "count", "'count' is not a JSON pointer: it must be empty (the whole document) or start with '/', as in \"/failed\"" },
    };

    [Theory]
    [MemberData(nameof(Unknown))]
    public void Other_values_are_unknown_with_the_reason_never_zero(string at, string reason)
    {
        var reading = NumberAt(at);

        Assert.True(reading.IsUnknown);
        Assert.Null(reading.Value);
        Assert.Equal(reason, reading.UnknownReason);
    }

    public static TheoryData<string, double?> NumberTexts => new()
    {
        { "42", 42 },
        { " 42\n", 42 },
        { "-0.5", -0.5 },
        { "+3", 3 },
        { "1e3", 1000 },
        { ".5", 0.5 },
        { "", null },
        { "1,000", null },
        { "1 000", null },
        { "0x10", null },
        { "NaN", null },
        { "Infinity", null },
        { "-Infinity", null },
        { "1e999", null },
        { "3 files", null },
        { "٣", null },
    };

    [Theory]
    [MemberData(nameof(NumberTexts))]
    public void Printed_numbers_are_read_in_the_invariant_culture_and_must_be_finite(string text, double? expected)
    {
        var parsed = SignalValues.TryParseNumber(text, out var value);

        Assert.Equal(expected is not null, parsed);
        if (expected is { } number)
        {
            Assert.Equal(number, value);
        }
    }

    public static TheoryData<string, bool> Documents => new()
    {
        { """{"a": 1}""", true },
        { "\uFEFF{\"a\": 1}", true },
        { "[1]", true },
        { "3", true },
        { """{"a": 1, "a": 2}""", false },
        { """{"a": 1,}""", false },
        { """{"a": 1} // note""", false },
        { """{'a': 1}""", false },
        { "{\"a\": 1} {\"b\": 2}", false },
        { "", false },
        { "not json", false },
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void Json_is_parsed_strictly_and_a_duplicate_member_is_refused(string text, bool valid)
    {
        using var fromBytes = SignalValues.ParseJson(System.Text.Encoding.UTF8.GetBytes(text), out var bytesProblem);
        using var fromText = SignalValues.ParseJson(text.TrimStart('\uFEFF'), out var textProblem);

        Assert.Equal(valid, fromBytes is not null);
        Assert.Equal(valid, fromText is not null);
        Assert.Equal(valid, bytesProblem is null);
        Assert.Equal(valid, textProblem is null);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_not_json()
    {
        using var document = SignalValues.ParseJson(new byte[] { (byte)'"', 0xC3, 0x28, (byte)'"' }, out var problem);

        Assert.Null(document);
        Assert.Equal("byte 1 is not UTF-8", problem);
    }

    [Fact]
    public void An_escaped_half_surrogate_pair_is_not_text()
    {
        using var document = SignalValues.ParseJson("""{"count": "\ud800"}""", out var problem);

        Assert.Null(document);
        Assert.Equal("the escape at byte 11 is half of a surrogate pair, not a character", problem);
    }

    public static TheoryData<string, string> Excerpts => new()
    {
        { "short", "short" },
        { "  two\nlines\r\n", "two lines" },
        { "a\u001b[31mred\tb", "a [31mred b" },
        { "::set-output name=x::1\n::error::boom", "::set-output name=x::1 ::error::boom" },
        { new string('x', 61), new string('x', 60) + "…" },
        { new string('x', 59) + "😀😀", new string('x', 59) + "…" },
    };

    [Theory]
    [MemberData(nameof(Excerpts))]
    public void An_excerpt_is_one_short_line(string text, string expected)
    {
        Assert.Equal(expected, SignalValues.Excerpt(text));
    }

    private static SignalReading NumberAt(string at)
    {
        using var document = SignalValues.ParseJson(Document, out var problem);
        Assert.Null(problem);
        return SignalValues.NumberAt(document!.RootElement, at, "report.json");
    }
}
