namespace ContainerTest.MsBuildTasks;

using System.Xml.Linq;
using Microsoft.Build.Framework;

/// <summary>
/// Warns about a ContainerTest property that does not exist (<c>-p:ContainerTestParalelism=2</c>,
/// or a misspelled element in the project file or a Directory.Build file): MSBuild would ignore
/// it without a word. The warning names the closest known property. Looked at: the build's
/// global properties (the command line) and the property elements of <see cref="Files"/>.
/// </summary>
public sealed class CheckSettingNames : Microsoft.Build.Utilities.Task
{
    /// <summary>Every property name ContainerTest reads, separated by ';'.</summary>
    [Required]
    public string KnownNames { get; set; } = string.Empty;

    /// <summary>The project file and the Directory.Build files it imports (missing ones are skipped).</summary>
    public ITaskItem[] Files { get; set; } = [];

    /// <inheritdoc />
    public override bool Execute()
    {
        var known = KnownNames.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var global = (BuildEngine as IBuildEngine6)?.GetGlobalProperties()?.Keys ?? [];
        foreach (var name in global.Where(n => IsUnknown(n, known)))
        {
            Log.LogWarning($"ContainerTest: the property '{name}' given on the command line is not a ContainerTest setting and is ignored. Did you mean {TestAdapter.Settings.SettingNames.Closest(name, known)}?");
        }

        foreach (var file in Files.Select(f => f.ItemSpec).Where(File.Exists).Distinct(StringComparer.Ordinal))
        {
            XDocument document;
            try
            {
                document = XDocument.Load(file, LoadOptions.SetLineInfo);
            }
            catch (System.Xml.XmlException)
            {
                continue; // MSBuild itself reports a broken project file
            }

            foreach (var element in document.Descendants().Where(e => e.Parent?.Name.LocalName == "PropertyGroup" && IsUnknown(e.Name.LocalName, known)))
            {
                var line = ((System.Xml.IXmlLineInfo)element).LineNumber;
                Log.LogWarning(null, null, null, file, line, 0, 0, 0, $"ContainerTest: the property '{element.Name.LocalName}' is not a ContainerTest setting and is ignored. Did you mean {TestAdapter.Settings.SettingNames.Closest(element.Name.LocalName, known)}?");
            }
        }

        return !Log.HasLoggedErrors;
    }

    private static bool IsUnknown(string name, string[] known) =>
        name.StartsWith("ContainerTest", StringComparison.OrdinalIgnoreCase) && !known.Contains(name, StringComparer.OrdinalIgnoreCase);
}
