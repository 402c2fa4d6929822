namespace ContainerTest.ContainerRuntime.Backends.Swarm.Relay;

using System.Text.Json.Nodes;

/// <summary>One gateway of a <see cref="NodeAllowList"/>.</summary>
/// <param name="CreateRequest">The body of <c>POST /containers/create</c> for it (attached stdin: it ends when the launcher does).</param>
/// <param name="Hosts">The allowed host names it forwards.</param>
internal sealed record NodeGatewayPlan(JsonObject CreateRequest, IReadOnlyList<string> Hosts);
