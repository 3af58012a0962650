package io.understudy.ops.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Polls the backup's /status every 200 ms while it is the backup, on a thread of its own, and keeps the highest
 * protected count and tolerated differences it reported. The highest, not the last: a sample taken as the takeover
 * begins, with the role still BACKUP, already counts no replicas.
 */
final class BackupStatusWatch {
    private final AtomicLong protectedSeen = new AtomicLong(-1);
    private final AtomicLong tolerated = new AtomicLong(-1);
    private final Thread thread = new Thread(this::watch, "lab-test-backup-status");

    BackupStatusWatch() {
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        thread.interrupt();
    }

    /** The most connections the backup protected at once, -1 if it never answered. */
    long protectedSeen() {
        return protectedSeen.get();
    }

    /** The most differences it had tolerated (tap.toleratedDifferences), -1 if it never answered. */
    long tolerated() {
        return tolerated.get();
    }

    private void watch() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                final JsonNode status = Lab.api(Lab.BACKUP, "/status");
                if (!"BACKUP".equals(status.path("role").asText())) {
                    return;
                }
                tolerated.accumulateAndGet(
                        status.path("tap").path("toleratedDifferences").asLong(-1), Math::max);
                protectedSeen.accumulateAndGet(
                        status.path("protectedConnections").asLong(-1), Math::max);
                Thread.sleep(200);
            } catch (final InterruptedException ex) {
                return;
            } catch (final RuntimeException | AssertionError ex) {
                return; // the backup is taking over: what it answered before stands
            }
        }
    }
}
