namespace PolicyAction.Tests.Support;

/// <summary>Copies of the bundled example workspace (examples/workspace), so tests never touch the tracked one.</summary>
internal static class ExampleWorkspace
{
    public static string Source => Path.Combine(RepositoryRoot.Path, "examples", "workspace");

    /// <param name="root">Where the copy is made; default: a new folder under the temp directory.</param>
    public static TempWorkspace Copy(string? root = null)
    {
        var workspace = new TempWorkspace(root);
        foreach (var file in Directory.EnumerateFiles(Source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Source, file);
            if (relative.StartsWith("reports", StringComparison.Ordinal)
                || relative.Contains("policy_response_", StringComparison.Ordinal)
                || relative.EndsWith(".lock", StringComparison.Ordinal))
            {
                continue;
            }

            workspace.WriteBytes(relative, File.ReadAllBytes(file));
        }

        return workspace;
    }
}
