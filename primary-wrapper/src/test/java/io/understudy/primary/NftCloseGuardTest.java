package io.understudy.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The element the nft guard adds: the connection's 4-tuple, in the set's order, with its own timeout. */
class NftCloseGuardTest {
    @Test
    void shouldAddTheFourTupleWithItsOwnTimeoutWhenAuthorizingAClose() {
        final String command = NftCloseGuard.command(
                "inet understudy_guard",
                "authorized",
                new InetSocketAddress("198.18.0.7", 40001),
                new InetSocketAddress("198.18.10.100", 7070));

        assertThat(command)
                .isEqualTo(
                        "add element inet understudy_guard authorized { 198.18.0.7 . 40001 . 198.18.10.100 . 7070 timeout 30s }");
    }

    @Test
    void shouldLetACloseGoWhenNoGuardTableIsInstalledHere() {
        if (!"0".equals(uid())) {
            assertThat(System.getenv("CI")).as("CI runs the tests as root").isNotEqualTo("true");
            org.junit.jupiter.api.Assumptions.abort("nft needs root");
        }
        final NftCloseGuard guard = new NftCloseGuard("test", "inet understudy_no_such_table", "authorized");

        assertThat(guard.authorize(
                        new InetSocketAddress("198.18.0.7", 40001), new InetSocketAddress("198.18.10.100", 7070)))
                .as("no table: nothing drops the close")
                .isTrue();
        assertThat(NftCloseGuard.isMissingGuard("Error: Could not process rule: Operation not permitted"))
                .isFalse();
    }

    private static String uid() {
        try {
            return String.valueOf(java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid"));
        } catch (final java.io.IOException ex) {
            return "?";
        }
    }
}
