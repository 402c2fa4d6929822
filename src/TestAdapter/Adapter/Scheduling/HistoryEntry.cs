namespace ContainerTest.TestAdapter.Scheduling;

using Microsoft.VisualStudio.TestPlatform.ObjectModel;

/// <summary>What the duration history remembers of a test: how long it took and how it ended, the last time it ran.</summary>
internal sealed record HistoryEntry(TimeSpan Duration, TestOutcome Outcome);
