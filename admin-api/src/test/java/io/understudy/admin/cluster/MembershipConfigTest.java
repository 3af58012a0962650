package io.understudy.admin.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

class MembershipConfigTest
{
    private static final List<String> PEERS = List.of("198.18.0.2:7800", "198.18.0.3:7800");

    @Test
    void shouldUseDefaultsWhenBuiltFromIdAddressAndPeers()
    {
        final MembershipConfig config = MembershipConfig.of("a", "198.18.0.2", PEERS);

        assertThat(config.bindPort()).isEqualTo(7800);
        assertThat(config.clusterName()).isEqualTo("understudy");
        assertThat(config.failureTimeoutMs()).isEqualTo(1000);
        assertThat(config.heartbeatIntervalMs()).isEqualTo(200);
        assertThat(config.verifySuspectMs()).isEqualTo(200);
        assertThat(config.joinTimeoutMs()).isEqualTo(1000);
        assertThat(config.peerAddresses()).containsExactly(
            new InetSocketAddress("198.18.0.2", 7800), new InetSocketAddress("198.18.0.3", 7800));
    }

    @Test
    void shouldRejectPortZeroWhenBinding()
    {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 0, PEERS, 1000, 200))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("bindPort=0, expected 1..65535");
    }

    @Test
    void shouldRejectPortAbove65535WhenBinding()
    {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 65536, PEERS, 1000, 200))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("bindPort=65536, expected 1..65535");
    }

    @Test
    void shouldRejectPeerPortOutOfRangeWhenListed()
    {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 7800, List.of("198.18.0.3:70000"), 1000, 200))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("peer 198.18.0.3:70000 port=70000, expected 1..65535");
    }

    @Test
    void shouldRejectEmptyPeersWhenBuilt()
    {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 7800, List.of(), 1000, 200))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("peers=[]");
    }

    @Test
    void shouldRejectPeersListingOnlyThisNodeWhenBuilt()
    {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 7800, List.of("198.18.0.2:7800"), 1000, 200))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("lists only this node");
    }

    @Test
    void shouldRejectHostNameWhenPeerIsNotIpv4Literal()
    {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 7800, List.of("backup.example:7800"), 1000, 200))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("backup.example")
            .hasMessageContaining("IPv4 literal");
    }

    @Test
    void shouldRejectBlankIdWhenBuilt()
    {
        assertThatThrownBy(() -> config(" ", "198.18.0.2", 7800, PEERS, 1000, 200))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("nodeId=\" \", expected a non-blank string");
    }

    @Test
    void shouldRejectWildcardBindAddressWhenBuilt()
    {
        assertThatThrownBy(() -> config("a", "0.0.0.0", 7800, PEERS, 1000, 200))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("bindAddress=0.0.0.0");
    }

    @Test
    void shouldRejectTimeoutNotAboveIntervalWhenBuilt()
    {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 7800, PEERS, 200, 200))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("failureTimeoutMs=200, expected more than heartbeatIntervalMs=200");
    }

    @Test
    void shouldRejectNonPositiveIntervalWhenBuilt()
    {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 7800, PEERS, 1000, 0))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("heartbeatIntervalMs=0, expected more than 0");
    }

    private static MembershipConfig config(
        final String id, final String bindAddress, final int port, final List<String> peers,
        final long timeoutMs, final long intervalMs)
    {
        return new MembershipConfig(id, bindAddress, port, peers, "understudy", timeoutMs, intervalMs, 200, 1000);
    }
}
