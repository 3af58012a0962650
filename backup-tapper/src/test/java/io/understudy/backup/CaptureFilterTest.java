package io.understudy.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The tap's capture filter leaves out this host's own connections to the service, and nothing else. */
class CaptureFilterTest {
    private static TapConfig onLoopback(final String serviceAddress) {
        return new TapConfig(
                "n1", "lo", serviceAddress, Set.of(7070), 2048, 1 << 20, TapConfig.TrackerLimits.defaults(), null);
    }

    @Test
    void shouldLeaveOutThisHostsOwnConnectionsToTheService() throws Exception {
        final String filter = BackupTapper.withoutOwnClients(onLoopback("198.18.0.100"));

        assertThat(filter)
                .startsWith("tcp and host 198.18.0.100 and (port 7070)")
                .contains("not (src host 127.0.0.1 and dst host 198.18.0.100)")
                .contains("not (src host 198.18.0.100 and dst host 127.0.0.1)");
    }

    @Test
    void shouldKeepEveryClientWhenTheServiceAddressIsThisHostsOwn() throws Exception {
        // In-JVM tests serve and tap on 127.0.0.1 itself: its clients are the ones to protect.
        assertThat(BackupTapper.withoutOwnClients(onLoopback("127.0.0.1")))
                .isEqualTo("tcp and host 127.0.0.1 and (port 7070)");
    }
}
