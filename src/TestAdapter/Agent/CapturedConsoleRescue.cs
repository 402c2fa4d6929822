namespace ContainerTest.Agent;

using System.Reflection;

/// <summary>
/// When a test ends the process (Environment.Exit) before its framework reported it, what it
/// wrote to Console went into the framework's capture buffer, not to stdout, and would be lost.
/// On process exit this writes whatever such a buffer holds to the real stdout and stderr, so
/// the host can show it with the failure.
/// </summary>
internal static class CapturedConsoleRescue
{
    public static void Install(Stream rawStdout, Stream rawStderr, Func<bool> resultReported)
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (resultReported())
            {
                return;
            }

            Rescue(Console.Out, rawStdout);
            Rescue(Console.Error, rawStderr);
        };
    }

    private static void Rescue(TextWriter writer, Stream destination)
    {
        try
        {
            // Console.SetOut wraps the framework's writer in a synchronizing one: look inside.
            var inner = writer.GetType().GetField("_out", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(writer) as TextWriter ?? writer;
            if (inner is not StringWriter captured)
            {
                return; // not captured: it already went to the real stream
            }

            var text = captured.ToString();
            if (text.Length > 0)
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(text.EndsWith('\n') ? text : text + "\n");
                destination.Write(bytes);
                destination.Flush();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or FieldAccessException)
        {
            // The process is going away; nothing more can be saved.
        }
    }
}
