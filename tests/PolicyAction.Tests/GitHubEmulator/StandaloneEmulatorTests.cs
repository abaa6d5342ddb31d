using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.GitHubEmulator;

/// <summary>The emulator runs on its own, as its README says, with its state readable over HTTP.</summary>
public class StandaloneEmulatorTests
{
    [Fact]
    public async Task Runs_standalone_and_serves_its_state()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "PolicyAction.GitHubEmulator.dll"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--token", "t0k"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        using var process = Process.Start(start)!;
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            string? state = null;
            for (var i = 0; i < 100 && state is null; i++)
            {
                try
                {
                    state = await client.GetStringAsync(new Uri("_emulator/state", UriKind.Relative));
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100);
                }
            }

            Assert.NotNull(state);
            Assert.Contains("refs/heads/main", state, StringComparison.Ordinal);
            using var unauthorized = await client.GetAsync(new Uri("repos/octo-org/octo-repo", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
