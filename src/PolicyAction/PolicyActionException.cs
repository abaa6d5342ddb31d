namespace PolicyAction;

/// <summary>An error that ends the command with a specific exit code and a message for the operator.</summary>
internal class PolicyActionException : Exception
{
    public PolicyActionException(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }
}

/// <summary>Usage, configuration or state problem (exit 2). Nothing was executed and no file was changed.</summary>
internal sealed class UsageException : PolicyActionException
{
    public UsageException(string message, Exception? innerException = null)
        : base(ExitCodes.UsageOrStateError, message, innerException)
    {
    }
}

/// <summary>A state or configuration file exists but cannot be read; the tool fails closed (exit 2).</summary>
internal sealed class StateFileException : PolicyActionException
{
    public StateFileException(string path, string problem, Exception? innerException = null)
        : base(ExitCodes.UsageOrStateError, $"{path}: {problem}", innerException)
    {
        FilePath = path;
        Problem = problem;
    }

    public string FilePath { get; }

    public string Problem { get; }
}
