using System.Runtime.CompilerServices;

namespace PolicyAction.Tests.Support;

/// <summary>
/// Approval (snapshot) testing, in the manner of the Verify package (not available here): the expected text
/// lives in <c>Class.Method.verified.md</c> beside the test source. A mismatch writes <c>.received.md</c>
/// next to it and fails; to approve a change, review the received file and rename it over the verified one.
/// </summary>
internal static class Approvals
{
    public static void Verify(string received, string? name = null, [CallerFilePath] string sourceFile = "", [CallerMemberName] string member = "")
    {
        var folder = Path.GetDirectoryName(sourceFile)!;
        var stem = $"{Path.GetFileNameWithoutExtension(sourceFile)}.{name ?? member}";
        var verifiedPath = Path.Combine(folder, stem + ".verified.md");
        var receivedPath = Path.Combine(folder, stem + ".received.md");
        received = received.Replace("\r\n", "\n", StringComparison.Ordinal);

        if (File.Exists(verifiedPath))
        {
            var verified = File.ReadAllText(verifiedPath).Replace("\r\n", "\n", StringComparison.Ordinal);
            if (verified == received)
            {
                File.Delete(receivedPath);
                return;
            }

            File.WriteAllText(receivedPath, received);
            Assert.Fail($"{stem}: the text differs from the approved {Path.GetFileName(verifiedPath)} at line {FirstDifference(verified, received)}. "
                + $"Compare {receivedPath} with it; if the change is right, move the received file over the verified one.");
        }

        File.WriteAllText(receivedPath, received);
        Assert.Fail($"{stem}: nothing approved yet. Review {receivedPath} and rename it to {Path.GetFileName(verifiedPath)}.");
    }

    private static int FirstDifference(string a, string b)
    {
        var left = a.Split('\n');
        var right = b.Split('\n');
        for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            if (left[i] != right[i])
            {
                return i + 1;
            }
        }

        return Math.Min(left.Length, right.Length) + 1;
    }
}
