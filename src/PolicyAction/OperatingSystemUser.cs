using System.Runtime.InteropServices;

namespace PolicyAction;

/// <summary>
/// Who runs the tool by the operating system's account, not by any variable: on Linux and macOS the effective uid's
/// passwd entry (<c>getpwuid_r</c>, which is what <see cref="Environment.UserName"/> reads; <c>USER</c> plays no part).
/// </summary>
internal static partial class OperatingSystemUser
{
    /// <summary>The account name; <c>uid N</c> when the uid has no passwd entry (an arbitrary container uid), so two such users still differ.</summary>
    public static string Name { get; } = Resolve();

    private static string Resolve()
    {
        var name = Environment.UserName;
        return name.Length > 0 || OperatingSystem.IsWindows() ? name : $"uid {NativeMethods.Geteuid()}";
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "geteuid")]
        public static partial uint Geteuid();
    }
}
