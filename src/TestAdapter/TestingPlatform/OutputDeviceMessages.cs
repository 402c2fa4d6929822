namespace ContainerTest.TestingPlatform;

using System.Reflection;
using Microsoft.Testing.Platform.Extensions.OutputDevice;
using Microsoft.Testing.Platform.OutputDevice;
using Microsoft.Testing.Platform.Services;

/// <summary>
/// Shows ContainerTest's messages through the platform's output device (the terminal, or
/// <c>dotnet test</c> in its Microsoft.Testing.Platform mode). <c>IOutputDevice.DisplayAsync</c>
/// gained a cancellation token in 2.0, so the call is bound to whichever form the application's
/// platform has.
/// </summary>
internal sealed class OutputDeviceMessages(IServiceProvider services, IOutputDeviceDataProducer producer)
{
    private readonly IOutputDevice device = services.GetOutputDevice();

    /// <summary>A warning.</summary>
    public Task WarnAsync(string text, CancellationToken cancellationToken) => DisplayAsync(new WarningMessageOutputDeviceData(text), cancellationToken);

    /// <summary>An error.</summary>
    public Task ErrorAsync(string text, CancellationToken cancellationToken) => DisplayAsync(new ErrorMessageOutputDeviceData(text), cancellationToken);

    /// <summary>Plain text.</summary>
    public Task InformAsync(string text, CancellationToken cancellationToken) => DisplayAsync(new TextOutputDeviceData(text), cancellationToken);

    private Task DisplayAsync(IOutputDeviceData data, CancellationToken cancellationToken)
    {
        var display = typeof(IOutputDevice).GetMethods(BindingFlags.Instance | BindingFlags.Public).Where(m => m.Name == nameof(IOutputDevice.DisplayAsync)).OrderByDescending(m => m.GetParameters().Length).First();
        object?[] arguments = display.GetParameters().Length == 3 ? [producer, data, cancellationToken] : [producer, data];
        return (Task)display.Invoke(device, arguments)!;
    }
}
