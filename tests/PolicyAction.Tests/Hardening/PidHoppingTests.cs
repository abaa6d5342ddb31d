using PolicyAction.Tests.Support;

namespace PolicyAction.Tests.Hardening;

/// <summary>
/// An action whose child forks and exits in a loop, so the live process changes its pid all the time (environment and
/// cookie intact): the tool, run as a real process, must leave none of it running once the response is recorded.
/// </summary>
public sealed class PidHoppingTests : IDisposable
{
    // The classic pid hopper: each generation appends a line, forks, and the parent exits at once, so the live process
    // is never the one a scan of /proc listed a moment ago. A 'stop' file ends the chain, so a survivor (a failing
    // test) does not run on after it. (Perl: fork without exec, no nesting limit; perl-base is essential in Debian.)
    private const string Hopper = "while (1) { exit 0 if -e q(stop); open(my $f, q(>>), q(hops.log)); print $f qq(x\\\\n); close($f); exit 0 if fork(); }";

    private readonly TempWorkspace _workspace = new();

    public PidHoppingTests()
    {
        _workspace.WithConfig($$"""
            version: 1
            gates:
              max_responses_per_24h: 100
            levels:
              RED:
                - id: hop
                  run: ["/usr/bin/perl", "-e", "{{Hopper}}"]
            """);
    }

    public void Dispose()
    {
        _workspace.Write("stop", string.Empty);
        Thread.Sleep(200);
        _workspace.Dispose();
    }

    [Fact]
    public async Task A_pid_hopping_child_never_outlives_its_action()
    {
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var result = await ProcessCli.RunAsync(_workspace, "respond", "--policy", "RED", "--apply");
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.True(_workspace.Exists("hops.log"), "the hopper never ran");

            await Task.Delay(300);
            var settled = Lines();
            await Task.Delay(1000);

            Assert.True(settled == Lines(), $"attempt {attempt}: the hopping child was still running after the tool exited ({settled} then {Lines()} hops)");
        }
    }

    private int Lines() => File.ReadAllLines(_workspace.PathOf("hops.log")).Length;
}
