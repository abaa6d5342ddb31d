using System.Security.Cryptography;
using System.Text;

namespace PolicyAction.GitHubEmulator;

/// <summary>A tree entry: a blob or a subtree under a name.</summary>
public sealed record TreeEntry(string Name, string Mode, string Type, string Sha);

public sealed record GitCommit(string Sha, string Tree, IReadOnlyList<string> Parents, string Message, DateTimeOffset Date);

/// <summary>Git's object store, with real object ids (SHA-1 of the object header and content).</summary>
public sealed class GitObjects
{
    private readonly Dictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<TreeEntry>> _trees = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GitCommit> _commits = new(StringComparer.Ordinal);

    public string AddBlob(byte[] content)
    {
        var sha = Hash("blob", content);
        _blobs[sha] = content;
        return sha;
    }

    public byte[]? Blob(string sha) => _blobs.GetValueOrDefault(sha);

    public IReadOnlyList<TreeEntry>? Tree(string sha) => _trees.GetValueOrDefault(sha);

    public GitCommit? Commit(string sha) => _commits.GetValueOrDefault(sha);

    public string AddTree(IEnumerable<TreeEntry> entries)
    {
        var sorted = entries.OrderBy(e => e.Type == "tree" ? e.Name + "/" : e.Name, StringComparer.Ordinal).ToArray();
        using var content = new MemoryStream();
        foreach (var entry in sorted)
        {
            content.Write(Encoding.UTF8.GetBytes($"{entry.Mode.TrimStart('0')} {entry.Name}\0"));
            content.Write(Convert.FromHexString(entry.Sha));
        }

        var sha = Hash("tree", content.ToArray());
        _trees[sha] = sorted;
        return sha;
    }

    public string AddCommit(string tree, IReadOnlyList<string> parents, string message, DateTimeOffset date)
    {
        var text = new StringBuilder($"tree {tree}\n");
        foreach (var parent in parents)
        {
            text.Append($"parent {parent}\n");
        }

        var stamp = $"{date.ToUnixTimeSeconds()} +0000";
        text.Append($"author github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com> {stamp}\ncommitter github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com> {stamp}\n\n{message}");
        var sha = Hash("commit", Encoding.UTF8.GetBytes(text.ToString()));
        _commits[sha] = new GitCommit(sha, tree, parents, message, date);
        return sha;
    }

    /// <summary>Every blob under a tree, by full path.</summary>
    public Dictionary<string, (string Mode, string Sha)> Flatten(string treeSha, string prefix = "")
    {
        var files = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var entry in Tree(treeSha) ?? [])
        {
            if (entry.Type == "tree")
            {
                foreach (var (path, value) in Flatten(entry.Sha, prefix + entry.Name + "/"))
                {
                    files[path] = value;
                }
            }
            else
            {
                files[prefix + entry.Name] = (entry.Mode, entry.Sha);
            }
        }

        return files;
    }

    /// <summary>The blob at a full path under a tree, walking one tree per path component.</summary>
    public (string Mode, string Sha)? Lookup(string treeSha, string path)
    {
        var names = path.Split('/');
        var tree = treeSha;
        for (var i = 0; i < names.Length; i++)
        {
            var entry = Tree(tree)?.FirstOrDefault(e => e.Name == names[i]);
            if (entry is null)
            {
                return null;
            }

            if (i == names.Length - 1)
            {
                return entry.Type == "blob" ? (entry.Mode, entry.Sha) : null;
            }

            tree = entry.Sha;
        }

        return null;
    }

    /// <summary>
    /// A tree with some paths set (a blob) or removed (null), rebuilding only the trees on the changed paths, as git
    /// does: a write to one file of a folder of thousands does not rehash every other folder. A folder left empty goes.
    /// </summary>
    public string Update(string? treeSha, IReadOnlyDictionary<string, (string Mode, string Sha)?> changes)
    {
        var entries = (treeSha is null ? [] : Tree(treeSha) ?? []).ToDictionary(e => e.Name, StringComparer.Ordinal);
        foreach (var group in changes.GroupBy(c => c.Key.Contains('/', StringComparison.Ordinal) ? c.Key[..c.Key.IndexOf('/', StringComparison.Ordinal)] : null))
        {
            if (group.Key is null)
            {
                foreach (var (name, value) in group)
                {
                    if (value is { } blob)
                    {
                        entries[name] = new TreeEntry(name, blob.Mode, blob.Mode switch { "040000" => "tree", "160000" => "commit", _ => "blob" }, blob.Sha);
                    }
                    else
                    {
                        entries.Remove(name);
                    }
                }

                continue;
            }

            var inner = group.ToDictionary(c => c.Key[(group.Key.Length + 1)..], c => c.Value, StringComparer.Ordinal);
            var existing = entries.TryGetValue(group.Key, out var folder) && folder.Type == "tree" ? folder.Sha : null;
            var updated = Update(existing, inner);
            if (Tree(updated) is { Count: > 0 })
            {
                entries[group.Key] = new TreeEntry(group.Key, "040000", "tree", updated);
            }
            else
            {
                entries.Remove(group.Key);
            }
        }

        return AddTree(entries.Values);
    }

    /// <summary>Builds nested trees from full paths, as git does; returns the root tree's id.</summary>
    public string Build(IReadOnlyDictionary<string, (string Mode, string Sha)> files)
    {
        var entries = new List<TreeEntry>();
        foreach (var group in files.GroupBy(f => f.Key.Contains('/', StringComparison.Ordinal) ? f.Key[..f.Key.IndexOf('/', StringComparison.Ordinal)] : null))
        {
            if (group.Key is null)
            {
                entries.AddRange(group.Select(f => new TreeEntry(f.Key, f.Value.Mode, "blob", f.Value.Sha)));
            }
            else
            {
                var inner = group.ToDictionary(f => f.Key[(group.Key.Length + 1)..], f => f.Value, StringComparer.Ordinal);
                entries.Add(new TreeEntry(group.Key, "040000", "tree", Build(inner)));
            }
        }

        return AddTree(entries);
    }

    public bool IsAncestor(string ancestor, string descendant)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([descendant]);
        while (queue.Count > 0)
        {
            var sha = queue.Dequeue();
            if (sha == ancestor)
            {
                return true;
            }

            if (seen.Add(sha) && Commit(sha) is { } commit)
            {
                foreach (var parent in commit.Parents)
                {
                    queue.Enqueue(parent);
                }
            }
        }

        return false;
    }

    private static string Hash(string kind, byte[] content)
    {
        var header = Encoding.ASCII.GetBytes($"{kind} {content.Length}\0");
#pragma warning disable CA5350 // Git object ids are SHA-1 by definition.
        return Convert.ToHexStringLower(SHA1.HashData([.. header, .. content]));
#pragma warning restore CA5350
    }
}
