namespace PolicyAction.Orchestrator;

/// <summary>
/// Reads the value of signals of one source kind (command, file, github). The evaluator holds a list of them;
/// adding a kind adds one class and its configuration binding.
/// </summary>
internal interface ISignalProvider
{
    /// <summary>Whether this provider reads signals from <paramref name="source"/>.</summary>
    bool Reads(SignalSource source);

    /// <summary>
    /// The signal's value now. A failure the provider can name (a refused request, a timeout, an unreadable file)
    /// is <see cref="SignalReading.Unknown"/> with that message, never an exception and never zero; only
    /// cancellation throws.
    /// </summary>
    Task<SignalReading> ReadAsync(SignalDefinition signal, CancellationToken cancellationToken);
}
