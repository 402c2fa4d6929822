namespace ContainerTest.TestAdapter.RuntimeLayer;

using NuGet.Versioning;

/// <summary>A runtime pack extracted in the global packages folder, and where it came from.</summary>
internal sealed record RuntimePack(string PackageId, NuGetVersion Version, string Folder, bool Downloaded, string Source);
