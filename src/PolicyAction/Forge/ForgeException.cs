namespace PolicyAction.Forge;

/// <summary>The forge refused or failed a request after retries; the message says what to fix. Exit 1: local state is intact.</summary>
internal class ForgeException : PolicyActionException
{
    public ForgeException(string message, Exception? innerException = null)
        : base(ExitCodes.ActionFailed, message, innerException)
    {
    }
}

/// <summary>
/// A write the forge failed without saying whether it took effect (a 5xx after it landed, a timeout, a dropped
/// connection). It is never sent again blindly: the caller reads to learn whether it landed.
/// </summary>
internal sealed class WriteOutcomeUnknownException : ForgeException
{
    public WriteOutcomeUnknownException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
