namespace ContainerTest.TestAdapter.Settings;

/// <summary>A configuration value that cannot be used; the message names the setting, its source, the value and what is accepted.</summary>
internal sealed class InvalidSettingException(string message) : Exception(message);
