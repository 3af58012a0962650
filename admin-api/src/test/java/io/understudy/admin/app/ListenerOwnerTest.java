package io.understudy.admin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Hand-written lines of /proc/net/tcp and tcp6, read as the kernel writes them on a little-endian machine. */
class ListenerOwnerTest {
    private static final InetSocketAddress REDIS = new InetSocketAddress(InetAddress.getLoopbackAddress(), 6390);

    @Test
    void shouldMatchWhenTheListenerIsOnTheAddress() {
        final String line = "   3: 0100007F:18F6 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999  "
                + "      0 43117 1 0000000000000000 100 0 0 10 0";

        assertThat(ListenerOwner.listenerInode(line, REDIS)).isEqualTo("43117");
    }

    @Test
    void shouldMatchWhenTheListenerIsOnTheWildcardOrAMappedAddress() {
        final String v4Any = "0: 00000000:18F6 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 501 1";
        final String v6Any = "0: 00000000000000000000000000000000:18F6 00000000000000000000000000000000:0000 0A "
                + "00000000:00000000 00:00000000 00000000 0 0 502 1";
        final String v6Mapped = "0: 0000000000000000FFFF00000100007F:18F6 00000000000000000000000000000000:0000 0A "
                + "00000000:00000000 00:00000000 00000000 0 0 503 1";

        assertThat(ListenerOwner.listenerInode(v4Any, REDIS)).isEqualTo("501");
        assertThat(ListenerOwner.listenerInode(v6Any, REDIS)).isEqualTo("502");
        assertThat(ListenerOwner.listenerInode(v6Mapped, REDIS)).isEqualTo("503");
    }

    @Test
    void shouldNotMatchWhenTheStatePortOrAddressDiffers() {
        final String established = "1: 0100007F:18F6 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000 0 0 7 1";
        final String otherPort = "1: 0100007F:18F7 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 8 1";
        final String otherAddress = "1: 0200007F:18F6 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 9 1";
        final String header =
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  " + "timeout inode";

        assertThat(ListenerOwner.listenerInode(established, REDIS)).isNull();
        assertThat(ListenerOwner.listenerInode(otherPort, REDIS)).isNull();
        assertThat(ListenerOwner.listenerInode(otherAddress, REDIS)).isNull();
        assertThat(ListenerOwner.listenerInode(header, REDIS)).isNull();
    }

    @Test
    void shouldReadV6AddressesWordByWord() throws Exception {
        assertThat(ListenerOwner.kernelAddress("00000000000000000000000001000000"))
                .isEqualTo(InetAddress.getByName("::1"));
        assertThat(ListenerOwner.kernelAddress("0100007F")).isEqualTo(InetAddress.getByName("127.0.0.1"));
    }
}
