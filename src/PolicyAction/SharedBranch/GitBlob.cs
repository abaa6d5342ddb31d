using System.Security.Cryptography;
using System.Text;

namespace PolicyAction.SharedBranch;

/// <summary>Git's object id of a file's bytes, so a file this run wrote can be compared-and-swapped without reading it back.</summary>
internal static class GitBlob
{
    public static string Sha(ReadOnlySpan<byte> content)
    {
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha1.AppendData(Encoding.ASCII.GetBytes($"blob {content.Length}\0"));
        sha1.AppendData(content);
        return Convert.ToHexStringLower(sha1.GetHashAndReset());
    }
}
