using System.Security.Cryptography;
using PolicyAction.State;

namespace PolicyAction.Responses;

/// <summary>
/// What a reversible path holds, read beneath the workspace: nothing, a regular file (with its sha256), or something
/// undo cannot hash (a link, a folder, a FIFO, a file over the undo limit), which no recorded hash equals.
/// </summary>
internal sealed record PathHash(EntryKind Kind, string? Sha256)
{
    public static readonly PathHash Missing = new(EntryKind.Missing, null);

    public bool Exists => Kind != EntryKind.Missing;

    /// <summary>Looks at the path through folder handles, never following a link; a folder swapped for a link on the way is refused.</summary>
    public static PathHash Of(string root, string full, string name)
    {
        var facts = BeneathWorkspace.Stat(root, full, name);
        if (facts.Kind == EntryKind.Missing)
        {
            return Missing;
        }

        if (facts.Kind == EntryKind.Regular && facts.Size <= ResponseService.MaxUndoBytesPerFile)
        {
            var content = BeneathWorkspace.Read(root, full, ResponseService.MaxUndoBytesPerFile, name);
            return content is null ? Missing : new PathHash(EntryKind.Regular, Convert.ToHexStringLower(SHA256.HashData(content.Bytes)));
        }

        // Kind Regular without a hash: a file over the undo limit.
        return new PathHash(facts.Kind, null);
    }

    /// <summary>Whether this is what a record says: a file with that sha256, or (when it did not exist) nothing.</summary>
    public bool Matches(bool existed, string? sha256) =>
        existed
            ? Sha256 is not null && string.Equals(Sha256, sha256, StringComparison.OrdinalIgnoreCase)
            : Kind == EntryKind.Missing;

    public static string Describe(bool existed, string? sha256) => existed ? $"sha256 {sha256}" : "no file";

    public override string ToString() => Kind switch
    {
        EntryKind.Missing => "no file",
        _ when Sha256 is not null => $"sha256 {Sha256}",
        EntryKind.Regular => $"a file over the {ResponseService.MaxUndoBytesPerFile}-byte undo limit",
        _ => $"not a file ({Kind.ToString().ToLowerInvariant()})",
    };
}
