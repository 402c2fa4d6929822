namespace ContainerTest.ContainerRuntime.Backends.Swarm;

using System.Net;
using System.Net.Sockets;

/// <summary>
/// The address of this machine that a cluster's nodes reach it by: the one the kernel would send
/// from toward the manager's own address (a UDP socket "connected" there sends nothing). A manager
/// on this very machine, or one only loopback reaches, leaves no address the nodes could use.
/// </summary>
internal static class HostAddress
{
    /// <summary>The local address that faces <paramref name="managerAddress"/>.</summary>
    /// <exception cref="Errors.BackendUnavailableException">There is no such address; the message says why.</exception>
    public static IPAddress Toward(string managerAddress)
    {
        if (!IPAddress.TryParse(managerAddress, out var manager))
        {
            throw new Errors.BackendUnavailableException(
                $"The Swarm manager gives '{managerAddress}' as its address, which is not an IP address: the test host cannot tell which of its addresses the nodes reach it by.",
                Errors.RetryClass.NotRetryable);
        }

        using var probe = new Socket(manager.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            probe.Connect(manager, 2377);
        }
        catch (SocketException ex)
        {
            throw new Errors.BackendUnavailableException(
                $"This machine has no route to the Swarm manager's address {manager} ({ex.Message}): the cluster's nodes could not reach the test host. Run the tests on a machine of the cluster's network.",
                Errors.RetryClass.NotRetryable,
                ex);
        }

        var local = ((IPEndPoint)probe.LocalEndPoint!).Address;
        if (IPAddress.IsLoopback(local))
        {
            throw new Errors.BackendUnavailableException(
                $"The Swarm manager advertises {manager}, which this machine reaches only over loopback: its nodes could not reach the test host. Advertise the manager on an address of the cluster's network (`docker swarm init --advertise-addr`).",
                Errors.RetryClass.NotRetryable);
        }

        return local;
    }
}
