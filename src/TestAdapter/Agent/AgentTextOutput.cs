namespace ContainerTest.Agent;

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ContainerTest.Protocol;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>
/// The agent's messages for a person rather than for the adapter: used when a person watches the
/// test run (<c>dotnet containertest shell --run</c> sets <see cref="Variable"/>=text).
/// </summary>
internal static class AgentTextOutput
{
    /// <summary>The environment variable that asks for text.</summary>
    public const string Variable = "CONTAINERTEST_AGENT_OUTPUT";

    public static bool Requested => Environment.GetEnvironmentVariable(Variable) == "text";

    /// <summary>The lines for one protocol message (null: nothing to show).</summary>
    public static string? Format(JsonObject message)
    {
        switch (AgentMessages.KindOf(message))
        {
            case AgentMessages.ResultKind:
                var outcome = (TestOutcome)(message["outcome"]?.GetValue<int>() ?? 0);
                var duration = TimeSpan.FromTicks(message["durationTicks"]?.GetValue<long>() ?? 0);
                var text = new StringBuilder()
                    .Append(CultureInfo.InvariantCulture, $"{outcome}  {message["displayName"]?.GetValue<string>()}  [{duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s]\n");
                foreach (var part in new[] { message["errorMessage"]?.GetValue<string>(), message["errorStackTrace"]?.GetValue<string>() })
                {
                    if (!string.IsNullOrWhiteSpace(part))
                    {
                        text.Append("  ").Append(part.TrimEnd().Replace("\n", "\n  ", StringComparison.Ordinal)).Append('\n');
                    }
                }

                return text.ToString();
            case AgentMessages.LogKind:
                return message["text"]?.GetValue<string>() + "\n";
            default:
                return null;
        }
    }
}
