package io.understudy.admin.cluster;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.jgroups.Address;
import org.jgroups.PhysicalAddress;
import org.jgroups.stack.IpAddress;

/**
 * Tells the configured peer from a stranger: a member is the peer when its physical (transport) address is one of the
 * configured peers other than this node's own entry. Any other member of a view is a stranger, whatever its name.
 */
final class ConfiguredPeer {
    private final Set<InetSocketAddress> addresses;
    private final Function<Address, PhysicalAddress> physicalAddresses;

    /**
     * @param addresses         the other node's possible transport addresses (config peers without this node).
     * @param physicalAddresses the transport's logical-to-physical address cache.
     */
    ConfiguredPeer(
            final List<InetSocketAddress> addresses, final Function<Address, PhysicalAddress> physicalAddresses) {
        this.addresses = Set.copyOf(addresses);
        this.physicalAddresses = physicalAddresses;
    }

    boolean isPeer(final Address member) {
        final InetSocketAddress at = physicalAddressOf(member);
        return at != null && addresses.contains(at);
    }

    /** "id@a.b.c.d:port", or "id@unknown address" when the transport does not know it (yet). */
    String describe(final Address member) {
        final InetSocketAddress at = physicalAddressOf(member);
        return member + "@" + (at == null ? "unknown address" : at.getAddress().getHostAddress() + ":" + at.getPort());
    }

    private InetSocketAddress physicalAddressOf(final Address member) {
        if (member == null) {
            return null;
        }
        final PhysicalAddress physical = physicalAddresses.apply(member);
        return physical instanceof IpAddress ip ? new InetSocketAddress(ip.getIpAddress(), ip.getPort()) : null;
    }
}
