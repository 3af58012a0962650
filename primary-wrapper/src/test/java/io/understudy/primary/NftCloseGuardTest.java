package io.understudy.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

/** The element the nft guard adds: the connection's 4-tuple, in the set's order, with its own timeout. */
class NftCloseGuardTest
{
    @Test
    void shouldAddTheFourTupleWithItsOwnTimeoutWhenAuthorizingAClose()
    {
        final String command = NftCloseGuard.command("inet understudy_guard", "authorized",
            new InetSocketAddress("198.18.0.7", 40001), new InetSocketAddress("198.18.10.100", 7070));

        assertThat(command).isEqualTo(
            "add element inet understudy_guard authorized { 198.18.0.7 . 40001 . 198.18.10.100 . 7070 timeout 30s }");
    }
}
