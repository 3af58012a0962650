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
    /** Why new connections are not protected while the sync runs (the tap's and the connections' reason). */
    static final String SYNCING = "this node's app was being brought in step with the primary's (replica.syncCommand)";

    private final BackupTapper tapper;
    private volatile LogServer logServer;
    private volatile ReplicaSync sync;

    private BackupRole(final BackupTapper tapper, final LogServer logServer) {
        this.tapper = tapper;
        this.logServer = logServer;
    }

    /**
     * Starts the logger (when this node runs it) and then the tap. With {@code replica.syncCommand} set, this node's
     * app is first brought in step with the primary's: its app has not followed the primary (a start, a return after
     * a crash, an app failure, a demotion), and connections opened before it is in step are not protected.
     */
    static BackupRole start(final NodeWiring wiring, final EventLog eventLog) throws IOException {
        return start(wiring, eventLog, java.util.List.of(), true);
    }

    /**
     * Like {@link #start(NodeWiring, EventLog)}; the tap follows {@code seeds} (a planned handover's) as replicas, and
     * the app is synced only when {@code syncApp} (it has not had what the primary's had).
     */
    static BackupRole start(
            final NodeWiring wiring,
            final EventLog eventLog,
            final java.util.List<io.understudy.backup.track.ReplicaSeed> seeds,
            final boolean syncApp)
            throws IOException {
        final NodeSettings settings = wiring.settings();
        final ReplicaSettings replica = settings.getReplica();
        final boolean sync = syncApp && !replica.getSyncCommand().isEmpty();
        final java.util.Map<String, String> syncEnvironment = sync ? syncEnvironment(wiring) : java.util.Map.of();
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
            final BackupRole role = new BackupRole(
                    BackupTapper.start(wiring.tapConfig(), eventLog, seeds, readLogFrom, sync ? SYNCING : null),
                    server);
            if (sync) {
                role.sync = new ReplicaSync(
                                settings.getId(),
                                replica.getSyncCommand(),
                                syncEnvironment,
                                replica.getSyncTimeoutMs(),
                                replica.getSyncRetryMs(),
                                role.tapper::replicaInStep)
                        .start();
            }
            return role;
        } catch (final IOException | RuntimeException ex) {
            if (server != null) {
                server.close();
            }
            throw ex;
        }
    }

    /** What the sync command is given: who this node is, where the primary is, and where this node's app is. */
    private static java.util.Map<String, String> syncEnvironment(final NodeWiring wiring) {
        final NodeSettings settings = wiring.settings();
        final java.util.Map<String, String> environment = new java.util.LinkedHashMap<>();
        environment.put("UNDERSTUDY_NODE_ID", settings.getId());
        environment.put("UNDERSTUDY_PEER_ADDRESS", wiring.peerHost("node.membership.peers names no peer to sync from"));
        environment.put("UNDERSTUDY_APP_ADDRESS", settings.getAppAddress());
        environment.put("UNDERSTUDY_APP_PORT", Integer.toString(settings.getAppPort()));
        return environment;
    }

    /**
     * Stops a sync under way (a takeover: this app serves next): its command gets SIGTERM, so that it can undo what it
     * did (ops/sync/redis stops replicating), and SIGKILL a second later. Returns at once when none runs.
     */
    void stopSync() {
        final ReplicaSync running = sync;
        if (running != null && !running.status().inStep()) {
            running.close();
        }
    }

    /** The app's sync, when this role runs one; null otherwise. */
    io.understudy.admin.api.ReplicaSyncStatus syncStatus() {
        final ReplicaSync running = sync;
        return running == null ? null : running.status();
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
        final ReplicaSync running = sync;
        if (running != null) {
            running.close();
        }
        tapper.close();
        final LogServer served = logServer;
        logServer = null;
        if (served != null) {
            served.close();
        }
    }
}
