package io.understudy.admin.core;

import io.understudy.backup.BackupTapper;
import io.understudy.logger.EventLog;
import io.understudy.logger.LogServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * What a backup runs: the tap with its hot replicas (or the replay log's tail), and the logger the primary ships its
 * read log to (unless a third host runs it).
 */
final class BackupRole implements AutoCloseable {
    private final BackupTapper tapper;
    private volatile LogServer logServer;

    private BackupRole(final BackupTapper tapper, final LogServer logServer) {
        this.tapper = tapper;
        this.logServer = logServer;
    }

    /** Starts the logger (when this node runs it) and then the tap. */
    static BackupRole start(final NodeWiring wiring, final EventLog eventLog) throws IOException {
        return start(wiring, eventLog, java.util.List.of());
    }

    /** Like {@link #start(NodeWiring, EventLog)}; the tap follows {@code seeds} (a planned handover's) as replicas. */
    static BackupRole start(
            final NodeWiring wiring,
            final EventLog eventLog,
            final java.util.List<io.understudy.backup.ReplicaSeed> seeds)
            throws IOException {
        final NodeSettings settings = wiring.settings();
        final LogSettings log = settings.getLog();
        LogServer server = null;
        // The read log of this backup's primary starts after what the log holds now: with its own logger, that is
        // earlier sessions only (whose connections, some never logged as ended, must not match new ones on a reused
        // 4-tuple). A logger on a third host is followed from its first record.
        long readLogFrom = -1;
        if (log.isEnabled() && log.getLogger().isBlank()) {
            readLogFrom = eventLog.indexFromNow();
            server = LogServer.start(
                    settings.getId(),
                    new InetSocketAddress(settings.getLanAddress(), log.getListenPort()),
                    eventLog,
                    wiring.readLogAuth());
        }
        try {
            return new BackupRole(BackupTapper.start(wiring.tapConfig(), eventLog, seeds, readLogFrom), server);
        } catch (final IOException | RuntimeException ex) {
            if (server != null) {
                server.close();
            }
            throw ex;
        }
    }

    BackupTapper tapper() {
        return tapper;
    }

    LogServer logServer() {
        return logServer;
    }

    /** After a takeover: the tap is done, and the new backup runs the logger. */
    @Override
    public void close() throws IOException {
        tapper.close();
        final LogServer served = logServer;
        logServer = null;
        if (served != null) {
            served.close();
        }
    }
}
