using System.Text.Json;
using PolicyAction.Orchestrator.Providers;

namespace PolicyAction.Tests.Orchestrator;

/// <summary>
/// RFC 6901 pointers as the command and file signals resolve them: the RFC's own examples, the escapes, array indexes,
/// and what a pointer that finds nothing (absent) or meets the wrong shape (unknown) says.
/// </summary>
public sealed class JsonPointerTests
{
    // RFC 6901 section 5.
    private const string Rfc = """
        {
          "foo": ["bar", "baz"],
          "": 0,
          "a/b": 1,
          "c%d": 2,
          "e^f": 3,
          "g|h": 4,
          "i\\j": 5,
          "k\"l": 6,
          " ": 7,
          "m~n": 8
        }
        """;

    private const string Nested = """{"a": {"b": [10, {"c": 20}], "n": null, "s": "text", "t": true, "~1": "tilde-one", "x~": {"/": 9}}}""";

    public static TheoryData<string, string, string> Found => new()
    {
        { Rfc, "/foo", """["bar", "baz"]""" },
        { Rfc, "/foo/0", "\"bar\"" },
        { Rfc, "/foo/1", "\"baz\"" },
        { Rfc, "/", "0" },
        { Rfc, "/a~1b", "1" },
        { Rfc, "/c%d", "2" },
        { Rfc, "/e^f", "3" },
        { Rfc, "/g|h", "4" },
        { Rfc, "/i\\j", "5" },
        { Rfc, "/k\"l", "6" },
        { Rfc, "/ ", "7" },
        { Rfc, "/m~0n", "8" },
        { Nested, "/a/b/0", "10" },
        { Nested, "/a/b/1/c", "20" },
        { Nested, "/a/n", "null" },
        { Nested, "/a/~01", "\"tilde-one\"" },
        { Nested, "/a/x~0/~1", "9" },
        { "42", "", "42" },
        { "[1, 2, 3]", "/2", "3" },
    };

    [Theory]
    [MemberData(nameof(Found))]
    public void A_pointer_finds_the_value_it_names(string document, string at, string expected)
    {
        using var parsed = JsonDocument.Parse(document);

        var match = JsonPointer.Resolve(parsed.RootElement, at);

        Assert.Equal(JsonPointerStatus.Found, match.Status);
        Assert.Equal(expected, match.Value.GetRawText());
    }

    [Fact]
    public void The_empty_pointer_is_the_whole_document()
    {
        using var parsed = JsonDocument.Parse(Rfc);

        var match = JsonPointer.Resolve(parsed.RootElement, string.Empty);

        Assert.True(match.IsFound);
        Assert.Equal(parsed.RootElement.GetRawText(), match.Value.GetRawText());
    }

    public static TheoryData<string, string, string, string> NotFound => new()
    {
        { Nested, "/nope", nameof(JsonPointerStatus.Missing), "the document has no member 'nope'" },
        { Nested, "/a/nope", nameof(JsonPointerStatus.Missing), "/a has no member 'nope'" },
        { Nested, "/A", nameof(JsonPointerStatus.Missing), "the document has no member 'A'" },
        { Nested, "/a/b/2", nameof(JsonPointerStatus.Missing), "the array at /a/b has 2 element(s), none at index 2" },
        { Nested, "/a/b/99999999999999", nameof(JsonPointerStatus.Missing), "the array at /a/b has 2 element(s), none at index 99999999999999" },
        { Nested, "/a/b/-", nameof(JsonPointerStatus.Missing), "'-' is past the end of the array at /a/b" },
        { Nested, "/a/n/x", nameof(JsonPointerStatus.Missing), "/a/n is null" },
        { Nested, "/a/b/01", nameof(JsonPointerStatus.WrongShape), "/a/b is an array and '01' is not an index (0, 1, 2 ...)" },
        { Nested, "/a/b/x", nameof(JsonPointerStatus.WrongShape), "/a/b is an array and 'x' is not an index (0, 1, 2 ...)" },
        { Nested, "/a/b/-1", nameof(JsonPointerStatus.WrongShape), "/a/b is an array and '-1' is not an index (0, 1, 2 ...)" },
        { Nested, "/a/b/", nameof(JsonPointerStatus.WrongShape), "/a/b is an array and '' is not an index (0, 1, 2 ...)" },
        { Nested, "/a/s/x", nameof(JsonPointerStatus.WrongShape), "/a/s is a string, which has no member 'x'" },
        { Nested, "/a/t/0", nameof(JsonPointerStatus.WrongShape), "/a/t is a boolean, which has no member '0'" },
        { Nested, "/a/b/0/c", nameof(JsonPointerStatus.WrongShape), "/a/b/0 is a number, which has no member 'c'" },
        { Nested, "/a/x~0/~1/deeper", nameof(JsonPointerStatus.WrongShape), "/a/x~0/~1 is a number, which has no member 'deeper'" },
        { Nested, "a", nameof(JsonPointerStatus.Invalid), "'a' is not a JSON pointer: it must be empty (the whole document) or start with '/', as in \"/failed\"" },
        { Nested, "#/a", nameof(JsonPointerStatus.Invalid), "'#/a' is not a JSON pointer: it must be empty (the whole document) or start with '/', as in \"/failed\"" },
        { Nested, "/a~2", nameof(JsonPointerStatus.Invalid), "'/a~2' is not a JSON pointer: '~' must be followed by 0 (for '~') or 1 (for '/')" },
        { Nested, "/a~", nameof(JsonPointerStatus.Invalid), "'/a~' is not a JSON pointer: '~' must be followed by 0 (for '~') or 1 (for '/')" },
    };

    [Theory]
    [MemberData(nameof(NotFound))]
    public void A_pointer_that_finds_nothing_says_what_stopped_it(string document, string at, string status, string explanation)
    {
        using var parsed = JsonDocument.Parse(document);

        var match = JsonPointer.Resolve(parsed.RootElement, at);

        Assert.Equal(Enum.Parse<JsonPointerStatus>(status), match.Status);
        Assert.Equal(explanation, match.Explanation);
        Assert.False(match.IsFound);
    }

    public static TheoryData<string, string[]?> Tokens => new()
    {
        { "", [] },
        { "/", [""] },
        { "//", ["", ""] },
        { "/a/b", ["a", "b"] },
        { "/a~1b", ["a/b"] },
        { "/m~0n", ["m~n"] },
        { "/~01", ["~1"] },
        { "/~10", ["/0"] },
        { "/~0~1~0", ["~/~"] },
        { "/ spaced /", [" spaced ", ""] },
        { "/ä/😀", ["ä", "😀"] },
        { "failed", null },
        { "~0", null },
        { "/~", null },
        { "/~x", null },
        { "/a~2b", null },
    };

    [Theory]
    [MemberData(nameof(Tokens))]
    public void Tokens_are_unescaped_in_one_pass_and_a_stray_tilde_is_refused(string at, string[]? expected)
    {
        var tokens = JsonPointer.Tokens(at, out var problem);

        Assert.Equal(expected, tokens);
        Assert.Equal(expected is null, problem is not null);
        Assert.Equal(problem, JsonPointer.Problem(at));
    }
}
