using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using PolicyAction.GitHubEmulator;

namespace PolicyAction.Tests.GitHubEmulator;

/// <summary>The double's answers carry what GitHub's do beyond the schema: headers, error statuses, limits, real-looking values.</summary>
public sealed class GitHubAnswerShapeTests : IAsyncLifetime
{
    private PolicyAction.GitHubEmulator.GitHubEmulator _github = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _github = await PolicyAction.GitHubEmulator.GitHubEmulator.StartAsync(new DoubleOptions { Files = new Dictionary<string, byte[]> { ["a.txt"] = "a\n"u8.ToArray() } });
        _http = new HttpClient { BaseAddress = _github.BaseAddress };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _github.Options.Token);
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("tests");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _github.AssertContractHonoured();
        await _github.DisposeAsync();
    }

    [Fact]
    public async Task Every_answer_carries_the_rate_limit_headers_and_reads_carry_an_etag()
    {
        using var first = await _http.GetAsync(new Uri("repos/octo-org/octo-repo", UriKind.Relative));
        using var second = await _http.GetAsync(new Uri("repos/octo-org/octo-repo", UriKind.Relative));

        foreach (var header in new[] { "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-used", "x-ratelimit-reset", "x-ratelimit-resource" })
        {
            Assert.True(second.Headers.Contains(header), header);
        }

        Assert.Equal(int.Parse(first.Headers.GetValues("x-ratelimit-remaining").Single(), System.Globalization.CultureInfo.InvariantCulture) - 1, int.Parse(second.Headers.GetValues("x-ratelimit-remaining").Single(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(long.Parse(second.Headers.GetValues("x-ratelimit-reset").Single(), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal("core", second.Headers.GetValues("x-ratelimit-resource").Single());
        Assert.NotNull(second.Headers.ETag);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);
    }

    [Fact]
    public async Task Errors_say_their_status_and_creations_say_where_they_are()
    {
        using var missing = await _http.GetAsync(new Uri("repos/octo-org/octo-repo/issues/404", UriKind.Relative));
        var error = JsonNode.Parse(await missing.Content.ReadAsStringAsync())!;
        Assert.Equal(("Not Found", "404"), (error["message"]!.GetValue<string>(), error["status"]!.GetValue<string>()));

        using var created = await _http.PostAsync(new Uri("repos/octo-org/octo-repo/issues", UriKind.Relative), Json(new JsonObject { ["title"] = "t", ["body"] = "b" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var issue = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.Equal(issue["url"]!.GetValue<string>(), created.Headers.Location?.ToString());
    }

    [Theory]
    [InlineData("issues", "Issue")]
    [InlineData("issues/1/comments", "IssueComment")]
    [InlineData("issues/1", "Issue")]
    public async Task A_body_over_65536_characters_is_refused_with_422(string path, string resource)
    {
        using (await _http.PostAsync(new Uri("repos/octo-org/octo-repo/issues", UriKind.Relative), Json(new JsonObject { ["title"] = "t" }))) { }

        var body = new JsonObject { ["title"] = "t", ["body"] = new string('x', PolicyAction.GitHubEmulator.GitHubEmulator.BodyLimit + 1) };
        using var refused = path == "issues/1"
            ? await _http.PatchAsync(new Uri($"repos/octo-org/octo-repo/{path}", UriKind.Relative), Json(body))
            : await _http.PostAsync(new Uri($"repos/octo-org/octo-repo/{path}", UriKind.Relative), Json(body));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal(resource, error["errors"]![0]!["resource"]!.GetValue<string>());
        Assert.Contains("too long", error["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        body["body"] = new string('x', PolicyAction.GitHubEmulator.GitHubEmulator.BodyLimit);
        using var accepted = path == "issues/1"
            ? await _http.PatchAsync(new Uri($"repos/octo-org/octo-repo/{path}", UriKind.Relative), Json(body))
            : await _http.PostAsync(new Uri($"repos/octo-org/octo-repo/{path}", UriKind.Relative), Json(body));
        Assert.True(accepted.IsSuccessStatusCode, accepted.StatusCode.ToString());
    }

    [Fact]
    public async Task Values_the_double_invents_look_like_githubs()
    {
        using var answer = await _http.GetAsync(new Uri("repos/octo-org/octo-repo", UriKind.Relative));
        var text = await answer.Content.ReadAsStringAsync();

        Assert.DoesNotContain("example.invalid", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"x\"", text, StringComparison.Ordinal);
        var repository = JsonNode.Parse(text)!;
        Assert.StartsWith(_github.BaseAddress.ToString().TrimEnd('/'), repository["forks_url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{40}$|^$", repository["owner"]?["gravatar_id"]?.GetValue<string>() ?? string.Empty);
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");
}
