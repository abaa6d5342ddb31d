using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using YamlDotNet.Serialization;

namespace PolicyAction.Configuration;

/// <summary>The YAML keys a document type binds (its <c>[YamlMember]</c> aliases, in declaration order), so no list of keys is kept by hand.</summary>
internal static class DocumentKeys
{
    public static IReadOnlyList<string> Of<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>() =>
        // Declaration order, as both runtimes list properties (Native AOT has no metadata tokens to sort by).
        typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.GetCustomAttribute<YamlMemberAttribute>()?.Alias)
            .OfType<string>()
            .ToArray();
}
