package io.understudy.admin.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class MembershipConfigTest {
    private static final List<String> PEERS = List.of("198.18.0.2:7800", "198.18.0.3:7800");
    private static final byte[] KEY = Pair.randomKey();

    @Test
    void shouldUseDefaultsWhenBuiltFromIdAddressAndPeers() {
        final MembershipConfig config = MembershipConfig.of("a", "198.18.0.2", PEERS, KEY);

        assertThat(config.bindPort()).isEqualTo(7800);
        assertThat(config.clusterName()).isEqualTo("understudy");
        assertThat(config.failureTimeoutMs()).isEqualTo(1000);
        assertThat(config.heartbeatIntervalMs()).isEqualTo(200);
        assertThat(config.verifySuspectMs()).isEqualTo(200);
        assertThat(config.joinTimeoutMs()).isEqualTo(1000);
        assertThat(config.peerAddresses())
                .containsExactly(new InetSocketAddress("198.18.0.2", 7800), new InetSocketAddress("198.18.0.3", 7800));
        assertThat(config.otherPeerAddresses()).containsExactly(new InetSocketAddress("198.18.0.3", 7800));
        assertThat(config.isSecure()).isTrue();
        assertThat(config.key()).isEqualTo(KEY);
    }

    @Test
    void shouldRejectKeyOfWrongLengthWhenBuilt() {
        assertThatThrownBy(() -> MembershipConfig.of("a", "198.18.0.2", PEERS, new byte[16]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key has 16 bytes, expected 32 (PairSecret.key(PairSecret.MEMBERSHIP))");
        assertThatThrownBy(() -> MembershipConfig.of("a", "198.18.0.2", PEERS, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("key has 0 bytes");
    }

    @Test
    void shouldRejectAllZeroKeyWhenBuilt() {
        assertThatThrownBy(() -> MembershipConfig.of("a", "198.18.0.2", PEERS, new byte[32]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key is all zeros, expected the pair's derived membership key");
    }

    @Test
    void shouldRejectMissingKeyWhenNotBuiltAsInsecure() {
        assertThatThrownBy(() -> MembershipConfig.of("a", "198.18.0.2", PEERS, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MembershipConfig.insecure");
    }

    @Test
    void shouldBeInsecureWithoutKeyWhenBuiltAsInsecure() {
        final MembershipConfig config =
                MembershipConfig.insecure("a", "198.18.0.2", PEERS).withBindPort(7900);

        assertThat(config.isSecure()).isFalse();
        assertThat(config.key()).isNull();
        assertThat(config.toString()).contains("key=none (insecure)");
    }

    @Test
    void shouldKeepItsOwnCopyOfKeyAndNeverPrintItWhenBuilt() {
        final byte[] key = KEY.clone();
        final MembershipConfig config =
                MembershipConfig.of("a", "198.18.0.2", PEERS, key).withClusterName("c");
        key[0]++;
        config.key()[1]++;

        assertThat(config.key()).isEqualTo(KEY);
        assertThat(config.toString())
                .contains("key=set")
                .doesNotContain(java.util.HexFormat.of().formatHex(KEY))
                .doesNotContain(java.util.Arrays.toString(KEY));
    }

    @Test
    void shouldRejectPortZeroWhenBinding() {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 0, PEERS, 1000, 200))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bindPort=0, expected 1..65535");
    }

    @Test
    void shouldRejectPortAbove65535WhenBinding() {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 65536, PEERS, 1000, 200))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bindPort=65536, expected 1..65535");
    }

    @Test
    void shouldRejectPeerPortOutOfRangeWhenListed() {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 7800, List.of("198.18.0.3:70000"), 1000, 200))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("peer 198.18.0.3:70000 port=70000, expected 1..65535");
    }

    @Test
    void shouldRejectEmptyPeersWhenBuilt() {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 7800, List.of(), 1000, 200))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("peers=[]");
    }

    @Test
    void shouldRejectPeersListingOnlyThisNodeWhenBuilt() {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 7800, List.of("198.18.0.2:7800"), 1000, 200))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lists only this node");
    }

    @Test
    void shouldRejectHostNameWhenPeerIsNotIpv4Literal() {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 7800, List.of("backup.example:7800"), 1000, 200))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backup.example")
                .hasMessageContaining("IPv4 literal");
    }

    @Test
    void shouldRejectBlankIdWhenBuilt() {
        assertThatThrownBy(() -> config(" ", "198.18.0.2", 7800, PEERS, 1000, 200))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nodeId=\" \", expected a non-blank string");
    }

    @Test
    void shouldRejectWildcardBindAddressWhenBuilt() {
        assertThatThrownBy(() -> config("a", "0.0.0.0", 7800, PEERS, 1000, 200))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bindAddress=0.0.0.0");
    }

    @Test
    void shouldRejectTimeoutNotAboveIntervalWhenBuilt() {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 7800, PEERS, 200, 200))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("failureTimeoutMs=200, expected more than heartbeatIntervalMs=200");
    }

    @Test
    void shouldRejectNonPositiveIntervalWhenBuilt() {
        assertThatThrownBy(() -> config("a", "198.18.0.2", 7800, PEERS, 1000, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("heartbeatIntervalMs=0, expected more than 0");
    }

    private static MembershipConfig config(
            final String id,
            final String bindAddress,
            final int port,
            final List<String> peers,
            final long timeoutMs,
            final long intervalMs) {
        return new MembershipConfig(id, bindAddress, port, peers, "understudy", timeoutMs, intervalMs, 200, 1000, KEY);
    }
}
