package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * nginx (one worker, HTTP/1.1 keep-alive) under Understudy with {@code replica.divergence: same-length}, 20
 * keep-alive clients checking every body, and the primary host crashes: every connection continues on the backup's
 * nginx and no body is wrong. The replies' Date header differs between the primary's nginx and the replica's
 * whenever a second turns between them, which in exact mode ended every connection's protection (issue 15); the
 * backup's status shows those differences tolerated before the crash.
 */
@Tag("lab")
@Timeout(300)
class NginxBackupTakesOverOnHostCrashTest {
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldKeepEveryKeepAliveConnectionAndBodyWhenPrimaryHostCrashes() throws Exception {
        Lab.startNginx("--divergence", "same-length");
        final BackupStatusWatch watch = new BackupStatusWatch();

        final JsonNode report = FailoverDrill.run(Lab.NGINX_SERVICE_PORT, "http", watch::start, "host-crash");
        watch.stop();

        FailoverDrill.assertEveryConnectionKeptAndProtected(report, watch);
        assertThat(watch.tolerated())
                .as("Date headers that differed and were tolerated before the crash (the "
                        + "backup's /status, tap.toleratedDifferences)")
                .isPositive();
    }
}
