using System.Text;

namespace PolicyAction.Forge;

/// <summary>
/// Branch names as <c>git check-ref-format --branch</c> accepts them. A name comes from an input or the event
/// payload, and goes into API paths, so one git would refuse is stopped here with a message naming where it came from.
/// </summary>
internal static class BranchName
{
    /// <summary>The name, if git would accept it; else a <see cref="UsageException"/> naming <paramref name="source"/>.</summary>
    public static string Validate(string name, string source) =>
        Problem(name) is { } problem
            ? throw new UsageException($"{source}: {Display(name)} is not a valid branch name ({problem})")
            : name;

    /// <summary>Why git would refuse the name, or null.</summary>
    public static string? Problem(string name)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        if (name.Any(c => char.IsControl(c) || c is ' ' or '~' or '^' or ':' or '?' or '*' or '[' or '\\'))
        {
            return "it contains a space, a control character or one of ~ ^ : ? * [ \\";
        }

        if (name.Contains("..", StringComparison.Ordinal) || name.Contains("@{", StringComparison.Ordinal) || name == "@")
        {
            return "it contains '..' or '@{', or is '@'";
        }

        if (name.StartsWith('/') || name.EndsWith('/') || name.Contains("//", StringComparison.Ordinal) || name.EndsWith('.') || name.StartsWith('-'))
        {
            return "it starts with '/' or '-', ends with '/' or '.', or contains '//'";
        }

        if (name.Split('/').Any(part => part.StartsWith('.') || part.EndsWith(".lock", StringComparison.Ordinal)))
        {
            return "a part of it starts with '.' or ends with '.lock'";
        }

        return null;
    }

    /// <summary>The name quoted, with control characters shown as escapes so a message stays one line.</summary>
    public static string Display(string name)
    {
        var text = new StringBuilder("'");
        foreach (var c in name.Length > 200 ? name[..200] + "…" : name)
        {
            text.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return text.Append('\'').ToString();
    }
}
