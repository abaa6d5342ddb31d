using PolicyAction.Forge;

namespace PolicyAction.SharedBranch;

/// <summary>What to do with an append-only log as found on the branch: append a line, or refuse with a reason.</summary>
/// <param name="Final">A refusal decided on what was read from the branch just now, not on the log's view: deciding again on a fresh read of the log would not change it.</param>
internal sealed record AppendDecision(byte[]? Line, string? Refusal, bool Final = false)
{
    public static AppendDecision Append(byte[] line) => new(line, null);

    public static AppendDecision Refuse(string reason, bool final = false) => new(null, reason, final);
}

/// <summary>The outcome: the commit that holds the line, or the reason it was refused.</summary>
internal sealed record AppendOutcome(string? CommitSha, string? Refusal)
{
    public bool Appended => CommitSha is not null;
}

/// <summary>
/// What this run knows of the shared branch since its own last commit there: the tip it left and the bytes of
/// the files it wrote. The next commit of the same run starts from it instead of reading the branch again; if
/// another run moved the branch meanwhile, the fast-forward fails and that commit re-reads as usual.
/// </summary>
internal sealed class BranchKnowledge
{
    public BranchTip? Tip { get; private set; }

    private Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    private IReadOnlyDictionary<string, byte[]>? _checkout;
    private string? _checkoutRef;

    /// <summary>Paths this run has written on the branch since: the checkout's bytes for them are out of date.</summary>
    private readonly HashSet<string> _writtenSinceCheckout = new(StringComparer.Ordinal);

    /// <summary>The paths this run wrote at <see cref="Tip"/>.</summary>
    public IEnumerable<string> Paths => _files.Keys;

    /// <summary>The file's bytes at <see cref="Tip"/>, if this run wrote it there.</summary>
    public byte[]? File(string path) => _files.GetValueOrDefault(path);

    /// <summary>
    /// Remembers the artifact files as the job's checkout had them (all of them: a file not among them did not exist
    /// there) and the ref the workflow ran for (<c>GITHUB_REF</c>; null outside a runner). When that ref is the branch
    /// written to, they are likely still the branch's, so a compare-and-swap write can start from them without a read;
    /// when the branch moved since the checkout, the write fails and the writer reads.
    /// </summary>
    public void RememberCheckout(IReadOnlyDictionary<string, byte[]> files, string? checkedOutRef)
    {
        _checkout = files;
        _checkoutRef = checkedOutRef;
    }

    /// <summary>The file as the checkout of <paramref name="branch"/> had it (<see cref="BranchFile.Missing"/> if it had none), or null when there is no such checkout.</summary>
    public BranchFile? CheckoutGuess(string branch, string path)
    {
        if (_checkout is null || (_checkoutRef is not null && _checkoutRef != $"refs/heads/{branch}") || _writtenSinceCheckout.Contains(path))
        {
            return null;
        }

        return _checkout.TryGetValue(path, out var bytes) ? new BranchFile(bytes, GitBlob.Sha(bytes)) : BranchFile.Missing;
    }

    /// <summary>Records a commit that landed: on top of what was known (<paramref name="fromKnown"/>) or on a fresh read.</summary>
    public void Landed(BranchTip tip, bool fromKnown, IEnumerable<FileChange> written)
    {
        if (!fromKnown)
        {
            _files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        }

        foreach (var change in written)
        {
            _files[change.Path] = change.Content;
            _writtenSinceCheckout.Add(change.Path);
        }

        Tip = tip;
    }
}

/// <summary>
/// An append-only log as seen on the branch for one attempt: the file the line goes to (<see cref="Path"/>, at
/// <see cref="File"/>), the sealed segments passed on the way to it (oldest first), and whether any of it was taken
/// from what the run remembered rather than read.
/// </summary>
internal sealed record LogView(string Path, BranchFile File, IReadOnlyList<byte[]> Sealed, byte[] LinkTo, bool Guessed)
{
    /// <summary>Every byte of the view, oldest first.</summary>
    public IEnumerable<byte[]> Contents => [.. Sealed, File.Content];
}

/// <summary>
/// Appends one line to an append-only log on the shared branch, as a compare-and-swap on one file: takes the log as
/// this run last wrote it, else as the job's checkout had it, else reads it at the branch tip; lets the caller decide
/// against it, and writes it back only if the file is still that blob (the Contents API's <c>sha</c>): one request,
/// or two with the read. When another run changed the log first (or a decision was refused on a remembered view), it
/// reads and decides again. The branch is the one piece of state every run sees, so concurrent runs cannot both act
/// on the same stale view. Other files may move meanwhile; their changes stay, since the write lands on the tip.
/// The audit log, in segments, is walked from a given segment past the sealed ones to the open one, which is the
/// one written (a new segment is created only if absent: the same compare-and-swap).
/// </summary>
internal sealed class BranchLogAppender
{
    public const int MaxAttempts = BranchRace.MaxAttempts;

    private readonly IForge _api;
    private readonly string _branch;
    private readonly BranchKnowledge _knowledge;

    public BranchLogAppender(IForge api, string branch, BranchKnowledge? knowledge = null)
    {
        _api = api;
        _branch = branch;
        _knowledge = knowledge ?? new BranchKnowledge();
    }

    public string Branch => _branch;

    /// <param name="path">The log's path in the repository.</param>
    /// <param name="decide">Called with the log's bytes on the branch (empty when it does not exist) on every attempt.</param>
    /// <param name="message">The commit message.</param>
    /// <param name="failure">What was lost when every attempt lost the race, for the error.</param>
    public Task<AppendOutcome> AppendAsync(string path, Func<byte[], AppendDecision> decide, string message, string failure, CancellationToken cancellationToken) =>
        AppendAsync(
            async guess =>
            {
                var known = guess ? Guess(path) : null;
                var file = known ?? await _api.GetFileOnBranchAsync(_branch, path, cancellationToken).ConfigureAwait(false);
                return new LogView(path, file, [], file.Content, known is not null);
            },
            view => Task.FromResult(decide(view.File.Content)),
            message,
            failure,
            cancellationToken);

    /// <summary>Appends one line to the audit log, walking its segments on the branch from <paramref name="fromSegment"/>.</summary>
    /// <param name="decide">Called with the view of the segments from <paramref name="fromSegment"/> on, on every attempt.</param>
    public Task<AppendOutcome> AppendToAuditLogAsync(int fromSegment, Func<LogView, AppendDecision> decide, string message, string failure, CancellationToken cancellationToken) =>
        AppendToAuditLogAsync(fromSegment, view => Task.FromResult(decide(view)), message, failure, cancellationToken);

    /// <inheritdoc cref="AppendToAuditLogAsync(int, Func{LogView, AppendDecision}, string, string, CancellationToken)"/>
    /// <param name="decide">
    /// Called after the log is looked at, on every attempt; it may read more of the branch. What it reads is at least
    /// as new as the log it decides on, and the write lands only if the log is still that blob.
    /// </param>
    public Task<AppendOutcome> AppendToAuditLogAsync(int fromSegment, Func<LogView, Task<AppendDecision>> decide, string message, string failure, CancellationToken cancellationToken) =>
        AppendAsync(guess => AuditViewAsync(fromSegment, guess, cancellationToken), decide, message, failure, cancellationToken);

    private async Task<LogView> AuditViewAsync(int fromSegment, bool guess, CancellationToken cancellationToken)
    {
        var guessed = false;
        async Task<BranchFile> Segment(int number)
        {
            var path = State.AuditSegments.RepositoryPath(number);
            if ((guess ? Guess(path) : null) is { } known)
            {
                guessed = true;
                return known;
            }

            return await _api.GetFileOnBranchAsync(_branch, path, cancellationToken).ConfigureAwait(false);
        }

        var passed = new List<byte[]>();
        var number = fromSegment;
        var file = await Segment(number).ConfigureAwait(false);
        while (file.BlobSha is not null && State.AuditSegments.IsSealed(file.Content.Length))
        {
            passed.Add(file.Content);
            number++;
            file = await Segment(number).ConfigureAwait(false);
        }

        // The line links to the newest record before it: in this segment, else in the sealed ones passed, else before them.
        var linkTo = file.Content.Length > 0 ? file.Content : passed.Count > 0 ? passed[^1] : [];
        if (linkTo.Length == 0 && number > 1)
        {
            linkTo = (await Segment(number - 1).ConfigureAwait(false)).Content;
        }

        return new LogView(State.AuditSegments.RepositoryPath(number), file, passed, linkTo, guessed);
    }

    /// <summary>The file as this run last wrote it, else as the job's checkout had it; null when neither is known.</summary>
    private BranchFile? Guess(string path) =>
        _knowledge.File(path) is { } known ? new BranchFile(known, GitBlob.Sha(known)) : _knowledge.CheckoutGuess(_branch, path);

    private async Task<AppendOutcome> AppendAsync(Func<bool, Task<LogView>> look, Func<LogView, Task<AppendDecision>> decide, string message, string failure, CancellationToken cancellationToken)
    {
        // First from what this run already wrote there, else from the job's checkout: no read when nobody else changed the log.
        var guess = true;
        byte[]? sent = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (attempt > 0 && !guess)
            {
                await BranchRace.BackoffAsync(attempt - 1, cancellationToken).ConfigureAwait(false);
            }

            var view = await look(guess).ConfigureAwait(false);
            if (sent is not null && view.Contents.Any(content => HoldsLine(content, sent)))
            {
                // The earlier write landed though its answer was lost, and others appended after it: it is done. What
                // the branch holds now is not remembered (the tip may have moved on); the next commit reads it.
                var now = await _api.GetBranchHeadAsync(_branch, cancellationToken).ConfigureAwait(false)
                    ?? throw new ForgeException($"branch {_branch} disappeared after this run wrote to it");
                return new AppendOutcome(now.CommitSha, null);
            }

            var decision = await decide(view).ConfigureAwait(false);
            if (decision.Line is not { } line)
            {
                if (view.Guessed && !decision.Final)
                {
                    // Refused on what may be an old view: decide again on the branch as it is now.
                    guess = false;
                    attempt--;
                    continue;
                }

                return new AppendOutcome(null, decision.Refusal ?? "refused");
            }

            var written = new FileChange(view.Path, AppendOnlyMerge.Append(view.File.Content, line));
            var tip = await _api.TryPutFileAsync(_branch, view.Path, view.File.BlobSha, written.Content, message, cancellationToken).ConfigureAwait(false);
            if (tip is not null)
            {
                // The write landed on whatever tip the branch had: only this file is known there.
                _knowledge.Landed(tip, fromKnown: false, [written]);
                return new AppendOutcome(tip.CommitSha, null);
            }

            sent = line;
            guess = false;
        }

        throw new ForgeException($"branch {_branch} kept moving: {MaxAttempts} attempts lost the race; {failure}");
    }

    /// <summary>Whether the log holds the line (with its newline) as a whole line.</summary>
    private static bool HoldsLine(ReadOnlySpan<byte> log, ReadOnlySpan<byte> line)
    {
        for (var from = 0; from <= log.Length - line.Length;)
        {
            var at = log[from..].IndexOf(line);
            if (at < 0)
            {
                return false;
            }

            if (from + at == 0 || log[from + at - 1] == (byte)'\n')
            {
                return true;
            }

            from += at + 1;
        }

        return false;
    }
}
