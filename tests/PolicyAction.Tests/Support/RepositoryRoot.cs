namespace PolicyAction.Tests.Support;

/// <summary>The repository checkout the tests were built from (the folder holding PolicyAction.sln).</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "PolicyAction.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("PolicyAction.sln not found above " + AppContext.BaseDirectory);
    }
}
