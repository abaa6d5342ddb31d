using System.Text;
using PolicyAction.State;

namespace PolicyAction.Tests.Support;

/// <summary>The audit log as a branch of the API double holds it: every segment, in order.</summary>
internal static class BranchAuditLog
{
    /// <summary>The segments on the branch, oldest first (path in the repository, bytes).</summary>
    public static IReadOnlyList<(string Path, byte[] Content)> Segments(this PolicyAction.GitHubEmulator.GitHubEmulator github, string branch) =>
        github.Files(branch)
            .Where(f => AuditSegments.IsSegment(f.Key))
            .OrderBy(f => AuditSegments.TryNumber(f.Key, out var n) ? n : 0)
            .Select(f => (f.Key, f.Value))
            .ToList();

    /// <summary>Every line of every segment, in order.</summary>
    public static string[] AuditLines(this PolicyAction.GitHubEmulator.GitHubEmulator github, string branch) =>
        github.Segments(branch).SelectMany(s => Encoding.UTF8.GetString(s.Content).Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToArray();

    /// <summary>verify-log over the branch's segments, written out as a checkout would have them.</summary>
    public static LogVerification VerifyAuditLog(this PolicyAction.GitHubEmulator.GitHubEmulator github, string branch, ChainHead? checkpoint = null)
    {
        using var checkout = new TempWorkspace();
        foreach (var (path, content) in github.Segments(branch))
        {
            var full = checkout.PathOf(path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, content);
        }

        return AuditLogVerifier.VerifyFile(checkout.PathOf(AuditSegments.FirstPath), checkpoint, name: p => Path.GetRelativePath(checkout.Root, p).Replace('\\', '/'));
    }
}
