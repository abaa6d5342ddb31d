namespace PolicyAction.Forge;

/// <summary>The forge refused or failed a request after retries; the message says what to fix. Exit 1: local state is intact.</summary>
internal sealed class ForgeException : PolicyActionException
{
    public ForgeException(string message, Exception? innerException = null)
        : base(ExitCodes.ActionFailed, message, innerException)
    {
    }
}
