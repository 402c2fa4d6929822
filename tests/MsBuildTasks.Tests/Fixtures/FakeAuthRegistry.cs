namespace ContainerTest.MsBuildTasks.Tests.Fixtures;

using System.Net;
using System.Text;

/// <summary>
/// A stand-in registry with its own token service on 127.0.0.1, for the authentication paths
/// the real test registry cannot offer without a signing token issuer: every request is handed
/// to <see cref="Handler"/>, which answers it; the requests are kept for the test to look at.
/// </summary>
internal sealed class FakeAuthRegistry : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task loop;

    public FakeAuthRegistry(Func<HttpListenerRequest, (int Status, IReadOnlyDictionary<string, string> Headers, string Body)> handler)
    {
        Handler = handler;
        Port = LocalRegistryPort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public Func<HttpListenerRequest, (int Status, IReadOnlyDictionary<string, string> Headers, string Body)> Handler { get; }

    public List<string> Requests { get; } = [];

    public void Dispose()
    {
        listener.Close();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private static int LocalRegistryPort() => ContainerTest.ContainerRuntime.Tests.Fixtures.LocalRegistry.FreeLoopbackPort();

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            lock (Requests)
            {
                Requests.Add($"{context.Request.HttpMethod} {context.Request.Url!.PathAndQuery} auth={context.Request.Headers["Authorization"]}");
            }

            var (status, headers, body) = Handler(context.Request);
            context.Response.StatusCode = status;
            foreach (var (name, value) in headers)
            {
                context.Response.AddHeader(name, value);
            }

            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.ContentLength64 = bytes.Length;
            if (context.Request.HttpMethod != "HEAD")
            {
                await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            }

            context.Response.Close();
        }
    }
}
