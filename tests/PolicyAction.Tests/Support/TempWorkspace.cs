using System.Text;

namespace PolicyAction.Tests.Support;

/// <summary>A real folder under the system temp directory, deleted when the test ends.</summary>
public sealed class TempWorkspace : IDisposable
{
    public const string MinimalConfig = """
        version: 1
        levels:
          YELLOW:
            - id: say_yellow
              run: ["/bin/echo", "yellow"]
          RED:
            - id: say_red
              run: ["/bin/echo", "red"]
        """;

    /// <param name="root">Where the folder is made (a folder inside another test folder); default: a new one under the temp directory.</param>
    public TempWorkspace(string? root = null)
    {
        Root = root ?? Path.Combine(Path.GetTempPath(), "policy-response-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string ConfigPath => PathOf(".github/policy-response.yml");

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public TempWorkspace WithConfig(string yaml) => Write(".github/policy-response.yml", yaml);

    public TempWorkspace Write(string relative, string content) => WriteBytes(relative, Encoding.UTF8.GetBytes(content));

    public TempWorkspace WriteBytes(string relative, byte[] content)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return this;
    }

    public string Read(string relative) => File.ReadAllText(PathOf(relative));

    public byte[] ReadBytes(string relative) => File.ReadAllBytes(PathOf(relative));

    public bool Exists(string relative) => File.Exists(PathOf(relative));

    public string[] AuditLines() =>
        Exists("state/policy_response_log.jsonl")
            ? Read("state/policy_response_log.jsonl").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            : [];

    /// <summary>The audit log without the level history, i.e. what responses, trust and brake wrote.</summary>
    public string[] ResponseLines() =>
        AuditLines().Where(l => !l.Contains("\"event\":\"level_changed\"", StringComparison.Ordinal)).ToArray();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
