using System.IO.Compression;
using System.Xml.Linq;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Packaging;

/// <summary>Builds run alone, after the parallel tests, so their two cores of compiling slow no timing-sensitive test.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialBuilds
{
    public const string Name = "Builds";
}

/// <summary>
/// The PolicyAction .NET tool package as the release workflow makes it (<c>dotnet pack -p:Version=…</c>) and as an
/// operator installs it (<c>dotnet tool install PolicyAction --version …</c>): packed once into a temp folder, installed
/// into a temp tool path from that folder alone (dependencies come from the global package cache, so this works offline),
/// then the installed <c>policy-response</c> command is run.
/// </summary>
[Collection(SerialBuilds.Name)]
public sealed class ToolPackageTests : IClassFixture<ToolPackageTests.PackedTool>
{
    private readonly PackedTool _tool;

    public ToolPackageTests(PackedTool tool)
    {
        _tool = tool;
    }

    [Fact]
    public void The_package_is_a_dotnet_tool_named_PolicyAction_with_the_policy_response_command_its_license_and_readme()
    {
        using var package = ZipFile.OpenRead(_tool.Package);
        var nuspec = Read(package, "PolicyAction.nuspec");
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;

        Assert.Equal("PolicyAction", metadata.Element(ns + "id")!.Value);
        Assert.Equal(PackedTool.Version, metadata.Element(ns + "version")!.Value);
        Assert.Equal("DotnetTool", metadata.Element(ns + "packageTypes")!.Element(ns + "packageType")!.Attribute("name")!.Value);
        var license = metadata.Element(ns + "license")!;
        Assert.Equal(("expression", "MIT"), (license.Attribute("type")!.Value, license.Value));
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")!.Value));
        Assert.Equal("https://github.com/org/policy-response", metadata.Element(ns + "repository")!.Attribute("url")!.Value);

        using (var readme = new StreamReader(package.GetEntry("README.md")!.Open()))
        {
            Assert.Equal(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md")), readme.ReadToEnd());
        }

        var settings = Read(package, "tools/net10.0/any/DotnetToolSettings.xml");
        var command = Assert.Single(settings.Descendants("Command"));
        Assert.Equal(("policy-response", "policy-response.dll"), (command.Attribute("Name")!.Value, command.Attribute("EntryPoint")!.Value));
    }

    [Fact]
    public async Task The_installed_command_prints_the_package_version()
    {
        var result = await _tool.RunAsync(RepositoryRoot.Path, "--version");

        Assert.True(result.ExitCode == 0, result.ToString());
        var printed = result.Stdout.Trim();
        Assert.True(printed == PackedTool.Version || printed.StartsWith(PackedTool.Version + "+", StringComparison.Ordinal), printed);
    }

    [Fact]
    public async Task The_installed_command_evaluates_the_gates_of_the_example_workspace()
    {
        using var workspace = ExampleWorkspace.Copy();

        var result = await _tool.RunAsync(workspace.Root, "gates", "--workspace", workspace.Root);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("GATE", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("all gates passed", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_installed_command_scaffolds_workflows_that_use_the_release_it_was_packed_for()
    {
        using var repository = new TempWorkspace();

        var result = await _tool.RunAsync(repository.Root, "init");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"uses: {PackedTool.ActionReference}\n", repository.Read(".github/workflows/policy_response_runner.yml"), StringComparison.Ordinal);
        Assert.Contains("raw.githubusercontent.com/my-org/policy-response/v2.999.0-packtest/docs/policy-response.schema.json", repository.Read(".github/policy-response.yml"), StringComparison.Ordinal);
    }

    private static XDocument Read(ZipArchive package, string entry)
    {
        using var stream = package.GetEntry(entry)?.Open() ?? throw new InvalidOperationException($"{entry} is not in the package");
        return XDocument.Load(stream);
    }

    /// <summary>The package packed and installed once for the class; the temp folder goes when the class is done.</summary>
    public sealed class PackedTool : IAsyncLifetime
    {
        /// <summary>A version like the release workflow's (the tag without its v), never a real release's.</summary>
        public const string Version = "2.999.0-packtest";

        /// <summary>What the release workflow passes: the repository and the release's tag.</summary>
        public const string ActionReference = "my-org/policy-response@v2.999.0-packtest";

        private readonly TempWorkspace _folder = new();

        public string Package => Path.Combine(_folder.Root, "nupkgs", $"PolicyAction.{Version}.nupkg");

        private string Command => Path.Combine(_folder.Root, "tools", "policy-response");

        public async Task InitializeAsync()
        {
            var nupkgs = _folder.PathOf("nupkgs");
            // Built apart from the repository's bin/ and obj/, so neither the test build nor the AOT publish is touched.
            var pack = await Dotnet(
                RepositoryRoot.Path,
                "pack", Path.Combine(RepositoryRoot.Path, "src", "PolicyAction", "PolicyAction.csproj"),
                "--configuration", "Release", $"-p:Version={Version}", $"-p:ActionReference={ActionReference}",
                "--artifacts-path", _folder.PathOf("artifacts"), "--output", nupkgs, "--disable-build-servers");
            Assert.True(pack.ExitCode == 0, "dotnet pack failed\n" + pack);
            Assert.True(File.Exists(Package), $"no {Package}\n{pack}");

            // Only the folder of the package: no remote feed is asked, and no other package named PolicyAction can be found.
            _folder.Write("nuget.config", """
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                  </packageSources>
                </configuration>
                """);
            var install = await Dotnet(
                _folder.Root,
                "tool", "install", "PolicyAction", "--version", Version,
                "--tool-path", _folder.PathOf("tools"), "--add-source", nupkgs, "--configfile", _folder.PathOf("nuget.config"));
            Assert.True(install.ExitCode == 0, "dotnet tool install failed\n" + install);
            Assert.True(File.Exists(Command), $"no {Command}\n{install}");
        }

        public Task<CliResult> RunAsync(string workingDirectory, params string[] args) =>
            ExternalProcess.RunAsync(Command, args, workingDirectory, new Dictionary<string, string?>
            {
                ["POLICY_AUTO_APPLY"] = null,
                ["GITHUB_WORKSPACE"] = null,
                ["GITHUB_ACTOR"] = "octocat",
            });

        public Task DisposeAsync()
        {
            _folder.Dispose();
            return Task.CompletedTask;
        }

        private static Task<CliResult> Dotnet(string workingDirectory, params string[] args)
        {
            // The test host runs under `dotnet test`, whose MSBuild variables would steer the child's build.
            var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
                .Where(name => name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(name => name, string? (_) => null);
            environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            environment["DOTNET_NOLOGO"] = "1";
            environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
            return ExternalProcess.RunAsync("dotnet", args, workingDirectory, environment, TimeSpan.FromMinutes(5));
        }
    }
}
