namespace PolicyAction.State;

/// <summary>
/// One writer per workspace: an exclusive lock on <c>state/.policy-response.lock</c>, waited for
/// a bounded time, released when disposed (or when the process dies, since it is an OS file lock).
/// </summary>
internal sealed class WorkspaceLock : IDisposable
{
    private readonly FileStream _stream;

    private WorkspaceLock(FileStream stream)
    {
        _stream = stream;
    }

    public static WorkspaceLock Acquire(string path, TimeSpan wait)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                return new WorkspaceLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }
            catch (IOException e)
            {
                throw new PolicyActionException(
                    ExitCodes.UsageOrStateError,
                    $"another policy-response is working on this workspace (lock {path} held for more than {wait.TotalSeconds:0} s); try again when it has finished",
                    e);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
