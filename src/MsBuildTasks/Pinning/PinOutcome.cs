namespace ContainerTest.MsBuildTasks.Pinning;

/// <summary>What pinning decided.</summary>
/// <param name="ImageToRun">The reference the tests run in: <c>registry/repository@sha256:…</c> when pinned, the configured reference otherwise.</param>
/// <param name="Message">What happened, in one line for the user (null when there was nothing to do).</param>
/// <param name="Warning">Why the image is not pinned although it could be (null when it is).</param>
/// <param name="LockWritten">Whether the lock file was written.</param>
public sealed record PinOutcome(string ImageToRun, string? Message, string? Warning, bool LockWritten);
