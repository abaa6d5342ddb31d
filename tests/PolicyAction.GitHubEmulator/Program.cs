using System.Globalization;
using PolicyAction.GitHubEmulator;

// Standalone: dotnet run --project tests/PolicyAction.GitHubEmulator -- --port 8088 [--token T]
// State and the request log: GET /_emulator/state.
var port = 0;
var token = new DoubleOptions().Token;
for (var i = 0; i < args.Length - 1; i++)
{
    switch (args[i])
    {
        case "--port":
            port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--token":
            token = args[i + 1];
            break;
    }
}

await using var github = await GitHubEmulator.StartAsync(new DoubleOptions { Port = port, Token = token });
Console.WriteLine($"GitHub API double for {github.Repository} at {github.BaseAddress} (state: {github.BaseAddress}_emulator/state); Ctrl+C stops it");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
await stop.Task;
