package io.understudy.admin.metrics;

import com.codahale.metrics.MetricRegistry;
import io.understudy.admin.api.FailoverReport;
import io.understudy.admin.core.Node;
import io.understudy.admin.core.Role;
import io.understudy.admin.metrics.NodeGauge.Kind;
import io.understudy.backup.TapStats;
import io.understudy.logger.LogServerStats;
import io.understudy.primary.ReadLogStats;
import io.understudy.primary.RelayStats;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The node's state as gauges in Dropwizard's metric registry, all named {@code understudy.*}: role, heartbeat, the
 * relay, the tap, the read log, the logger and the last failover. Each reads the node when scraped; a part that does
 * not run on this node now (the tap on a primary) reads null and is left out of the Prometheus text.
 */
public final class NodeMetrics {
    /** The prefix of every metric this class registers. */
    public static final String PREFIX = "understudy.";

    private final Node node;
    private final MetricRegistry registry;

    private NodeMetrics(final Node node, final MetricRegistry registry) {
        this.node = node;
        this.registry = registry;
    }

    /** Registers every node metric in {@code registry}. */
    public static void register(final Node node, final MetricRegistry registry) {
        final NodeMetrics metrics = new NodeMetrics(node, registry);
        metrics.registerNode();
        metrics.registerRelay();
        metrics.registerTap();
        metrics.registerReadLog();
        metrics.registerLogger();
        metrics.registerLastFailover();
    }

    private void registerNode() {
        gauge(
                "role.primary",
                Kind.GAUGE,
                "1 when this node is the primary, 0 when it is the backup",
                () -> flag(node.role() == Role.PRIMARY));
        gauge(
                "peer.present",
                Kind.GAUGE,
                "1 when the other node is in this node's heartbeat view",
                () -> flag(node.view().map(view -> view.peerPresent()).orElse(false)));
        gauge(
                "membership.strangers",
                Kind.GAUGE,
                "Members of the heartbeat view that are neither this node nor the configured peer (an alarm when > 0)",
                () -> node.view().map(view -> view.strangers().size()).orElse(0));
        gauge(
                "heartbeat.age.seconds",
                Kind.GAUGE,
                "Seconds since anything was heard from the peer",
                () -> node.heartbeatAgeMs() < 0 ? null : node.heartbeatAgeMs() / 1000.0);
        gauge("fast.heartbeat.age.seconds", Kind.GAUGE, "Seconds since the peer's last fast heartbeat", () -> {
            final io.understudy.admin.api.FastHeartbeatStatus fast = node.fastHeartbeatStatus();
            return fast == null || fast.ageMs() < 0 ? null : fast.ageMs() / 1000.0;
        });
        gauge(
                "fast.heartbeat.rejected",
                Kind.COUNTER,
                "Fast heartbeat packets refused (not from the peer, a wrong MAC, a replay)",
                () -> node.fastHeartbeatStatus() == null
                        ? null
                        : node.fastHeartbeatStatus().rejected());
        gauge(
                "takeover.failed",
                Kind.GAUGE,
                "1 when the last takeover attempt failed (the node needs an operator)",
                () -> flag(node.takeoverFailure().isPresent()));
        gauge(
                "role.epoch",
                Kind.GAUGE,
                "This node's epoch: every change of role moves it past both nodes' epochs",
                node::epoch);
        gauge("role.peer.epoch", Kind.GAUGE, "The highest epoch the peer announced on the heartbeat", node::peerEpoch);
        gauge(
                "alarms",
                Kind.GAUGE,
                "Alarms that need an operator now (a failed fence, another holder of the service "
                        + "address); GET /status lists them",
                () -> node.alarms().size());
        gauge("fence.runs", Kind.COUNTER, "Fence commands that succeeded", () -> node.fenceCounts()[0]);
        gauge(
                "fence.failures",
                Kind.COUNTER,
                "Fence commands that failed or timed out (no takeover followed)",
                () -> node.fenceCounts()[1]);
        gauge(
                "pauses",
                Kind.COUNTER,
                "Times this primary found itself held up longer than its relay lease "
                        + "(a VM pause, a long GC, SIGSTOP) and checked for another holder before relaying again",
                node::pausesSeen);
        gauge(
                "demoted",
                Kind.GAUGE,
                "1 once this node, primary, found it had been superseded and gave up",
                () -> flag(node.lastDemotion().isPresent()));
    }

    private void registerRelay() {
        relay(
                "connections.accepted",
                Kind.COUNTER,
                "Client connections the relay accepted",
                RelayStats::connectionsAccepted);
        relay("connections.open", Kind.GAUGE, "Client connections relayed now", RelayStats::connectionsOpen);
        relay(
                "client.to.app.bytes",
                Kind.COUNTER,
                "Bytes relayed from clients to the app",
                RelayStats::bytesFromClients);
        relay("app.to.client.bytes", Kind.COUNTER, "Bytes relayed from the app to clients", RelayStats::bytesToClients);
        relay("client.resets", Kind.COUNTER, "Connections a client reset", RelayStats::resetsFromClients);
        relay("app.resets", Kind.COUNTER, "Connections the app reset", RelayStats::resetsFromApp);
        relay(
                "app.connect.failures",
                Kind.COUNTER,
                "Client connections reset because the app could not be reached",
                RelayStats::appConnectFailures);
        relay(
                "errors",
                Kind.COUNTER,
                "Unexpected errors in the relay loop (each closed a connection)",
                RelayStats::errors);
        relay(
                "app.closes.held",
                Kind.GAUGE,
                "App-side closes held now while the node finds out whether the app died",
                RelayStats::appClosesHeld);
        relay(
                "app.closes.passed",
                Kind.COUNTER,
                "App-side closes passed on to clients (the app was alive)",
                RelayStats::appClosesPassed);
        relay(
                "connections.refused",
                Kind.COUNTER,
                "Clients refused with a RST at node.maxConnections",
                RelayStats::connectionsRefused);
        relay(
                "guard.failures",
                Kind.COUNTER,
                "Deliberate closes the crash guard would not authorize after 3 "
                        + "attempts (their FIN or RST was dropped; the client waits for its own timeout)",
                RelayStats::guardFailures);
        relay(
                "guard.held",
                Kind.GAUGE,
                "Deliberate closes waiting now for the crash guard to authorize them",
                RelayStats::closesHeldForGuard);
        relay(
                "lease.waits",
                Kind.COUNTER,
                "Relay turns spent without a lease (after a pause, until the node "
                        + "checked no other host took the service over)",
                RelayStats::leaseWaits);
        gauge(
                "app.alive",
                Kind.GAUGE,
                "1 while this node's app process runs (found and not ended)",
                () -> node.appStatus().map(app -> flag(app.alive())).orElse(null));
        gauge(
                "app.check.failures",
                Kind.GAUGE,
                "App checks failed in a row now",
                () -> node.appStatus().map(app -> (Number) app.failuresInRow()).orElse(null));
        gauge(
                "app.failed",
                Kind.GAUGE,
                "1 once this node's app crashed or hung (until it is restarted)",
                () -> node.appStatus().map(app -> flag(app.failed() != null)).orElse(null));
    }

    private void registerTap() {
        tap("running", Kind.GAUGE, "1 while the backup's capture loop runs", stats -> flag(stats.running()));
        tap("frames", Kind.COUNTER, "Frames captured", TapStats::frames);
        tap(
                "skipped.frames",
                Kind.COUNTER,
                "Frames captured but not tracked (all reasons)",
                stats -> stats.skipped().values().stream()
                        .mapToLong(Long::longValue)
                        .sum());
        tap("segments", Kind.COUNTER, "TCP segments tracked", TapStats::segments);
        tap(
                "kernel.dropped.frames",
                Kind.COUNTER,
                "Frames the kernel dropped: the capture buffer was full",
                TapStats::kernelDrops);
        tap("connections.tracked", Kind.GAUGE, "Connections in the tap's table", TapStats::connectionsTracked);
        tap("connections.opened", Kind.COUNTER, "Connections the tap saw open", TapStats::connectionsOpened);
        tap(
                "connections.mid.stream",
                Kind.COUNTER,
                "Connections picked up after they opened (not restorable)",
                TapStats::connectionsMidStream);
        tap(
                "connections.closed",
                Kind.COUNTER,
                "Connections the tap saw close (a FIN each way)",
                TapStats::connectionsClosed);
        tap("connections.reset", Kind.COUNTER, "Connections the tap saw reset", TapStats::connectionsReset);
        tap(
                "connections.refused.over.limit",
                Kind.COUNTER,
                "Connections the tap could not track, its table full (not protected)",
                TapStats::connectionsRefusedOverLimit);
        tap(
                "replica.failures",
                Kind.COUNTER,
                "Replica connections that failed (those connections are not protected)",
                TapStats::replicaFailures);
        tap(
                "overflowed.streams",
                Kind.COUNTER,
                "Streams whose retained bytes hit a cap (not restorable)",
                TapStats::overflowedStreams);
        tap("retained.bytes", Kind.GAUGE, "Stream bytes the tap holds", TapStats::retainedBytes);
        tap("log.records", Kind.COUNTER, "Tap events appended to the event log", TapStats::logRecords);
        tap("log.failures", Kind.COUNTER, "Tap events the event log refused", TapStats::logFailures);
        tap("replicas", Kind.GAUGE, "Connections with a live replica (protected)", TapStats::replicas);
        tap(
                "divergences",
                Kind.COUNTER,
                "Connections whose replica's output differed from the primary's",
                TapStats::divergences);
        tap(
                "tolerated.differences",
                Kind.COUNTER,
                "Same-length differences between a replica's output and the primary's that left protection on "
                        + "(replica.divergence: same-length)",
                TapStats::toleratedDifferences);
        tap(
                "tolerated.differing.bytes",
                Kind.COUNTER,
                "The differing bytes in those differences",
                TapStats::toleratedDifferingBytes);
        tap("errors", Kind.COUNTER, "Errors the capture loop caught", TapStats::errors);
        tap(
                "read.log.connected",
                Kind.GAUGE,
                "1 while the tap follows the primary's read log",
                stats -> flag(stats.readLogConnected()));
        tap("read.log.records", Kind.COUNTER, "Read log records the tap took in", TapStats::readLogRecords);
        tap(
                "read.log.last.index",
                Kind.GAUGE,
                "Log index of the last read log record taken in",
                TapStats::readLogLastIndex);
        tap(
                "connections.logged",
                Kind.COUNTER,
                "Tapped connections matched with the primary's log of them",
                TapStats::connectionsLogged);
        tap(
                "client.bytes.from.log",
                Kind.COUNTER,
                "Client bytes the tap missed and took from the read log",
                TapStats::clientBytesFromLog);
        tap(
                "server.bytes.from.replica",
                Kind.COUNTER,
                "Server bytes the tap missed and took from the replica",
                TapStats::serverBytesFromReplica);
    }

    private void registerReadLog() {
        readLog("enabled", Kind.GAUGE, "1 when the primary ships a read log", stats -> flag(stats.enabled()));
        readLog(
                "sync.commit",
                Kind.GAUGE,
                "1 when app output waits for the logger's ack",
                stats -> flag("sync".equals(stats.commit())));
        readLog("connected", Kind.GAUGE, "1 while the logger is connected", stats -> flag(stats.connected()));
        readLog("shipped.records", Kind.COUNTER, "Records queued for the logger", ReadLogStats::shipped);
        readLog("acked.records", Kind.COUNTER, "Records the logger acked", ReadLogStats::acked);
        readLog(
                "dropped.records",
                Kind.COUNTER,
                "Records dropped while the logger was away (a gap in the log)",
                ReadLogStats::dropped);
        readLog("lag.records", Kind.GAUGE, "Records shipped and not yet acked", ReadLogStats::lagRecords);
        readLog("lag.ms", Kind.GAUGE, "Age of the oldest record the logger has not acked, ms", ReadLogStats::lagMs);
        readLog(
                "held.for.lag",
                Kind.COUNTER,
                "App writes held (async commit) because the logger lagged more than node.log.maxLagMs",
                ReadLogStats::heldForLag);
        readLog("buffered.bytes", Kind.GAUGE, "Bytes of records kept for the logger", ReadLogStats::bufferedBytes);
        readLog(
                "commit.timeouts",
                Kind.COUNTER,
                "Times sync commit released output without the logger's ack",
                ReadLogStats::commitTimeouts);
        readLog(
                "degraded",
                Kind.GAUGE,
                "1 while protection is degraded (see /status readLog.degraded)",
                stats -> flag(stats.degraded() != null));
    }

    private void registerLogger() {
        logger("appended.records", Kind.COUNTER, "Records the logger appended", LogServerStats::appended);
        logger(
                "duplicate.records",
                Kind.COUNTER,
                "Records dropped as already in the log",
                LogServerStats::duplicatesDropped);
        logger("rejected.connections", Kind.COUNTER, "Connections closed for bad input", LogServerStats::rejected);
        logger("writers.connected", Kind.GAUGE, "Writer (primary) connections open", LogServerStats::writersConnected);
        logger("tails.connected", Kind.GAUGE, "Tail (backup) connections open", LogServerStats::tailsConnected);
        logger("last.seq", Kind.GAUGE, "Highest writer seq in the log", LogServerStats::lastSeq);
        logger("last.index", Kind.GAUGE, "Index of the log's last record", LogServerStats::lastIndex);
        logger(
                "auth.failures",
                Kind.COUNTER,
                "Handshakes refused: the peer did not prove the read-log key",
                LogServerStats::authFailures);
        logger(
                "writers.refused",
                Kind.COUNTER,
                "Authenticated writers refused while another held the place",
                LogServerStats::writersRefused);
        logger(
                "seq.jumps.refused",
                Kind.COUNTER,
                "Writers closed for breaking the contiguous seqs",
                LogServerStats::seqJumpsRefused);
        logger(
                "connections.refused",
                Kind.COUNTER,
                "Connections closed at once: the logger's cap was reached",
                LogServerStats::connectionsRefused);
        logger(
                "connections.open",
                Kind.GAUGE,
                "Logger connections open, in any state",
                LogServerStats::connectionsOpen);
    }

    private void registerLastFailover() {
        failover(
                "timestamp.seconds",
                "When the last takeover finished (Unix time)",
                report -> Instant.parse(report.at()).toEpochMilli() / 1000.0);
        failover("restored.connections", "Connections the last takeover restored", FailoverReport::restored);
        failover(
                "not.restored.connections",
                "Connections the last takeover could not restore",
                report -> report.notRestored().size());
        failover(
                "detection.seconds",
                "Last takeover: from the last heartbeat heard to the decision",
                report -> report.detectionMs() / 1000.0);
        failover(
                "takeover.seconds",
                "Last takeover: from the decision until every connection was relayed",
                report -> report.takeoverMs() / 1000.0);
        failover(
                "restore.seconds",
                "Last takeover: of which restoring the sockets",
                report -> report.restoreMs() / 1000.0);
    }

    private void relay(
            final String name, final Kind kind, final String help, final Function<RelayStats, Number> field) {
        part("relay." + name, kind, help, node::relayStats, field);
    }

    private void tap(final String name, final Kind kind, final String help, final Function<TapStats, Number> field) {
        part("tap." + name, kind, help, node::tapStats, field);
    }

    private void readLog(
            final String name, final Kind kind, final String help, final Function<ReadLogStats, Number> field) {
        part("read.log." + name, kind, help, node::readLogStats, field);
    }

    private void logger(
            final String name, final Kind kind, final String help, final Function<LogServerStats, Number> field) {
        part("logger." + name, kind, help, node::loggerStats, field);
    }

    private void failover(final String name, final String help, final Function<FailoverReport, Number> field) {
        part("last.failover." + name, Kind.GAUGE, help, node::lastFailover, field);
    }

    private <T> void part(
            final String name,
            final Kind kind,
            final String help,
            final Supplier<Optional<T>> part,
            final Function<T, Number> field) {
        gauge(name, kind, help, () -> part.get().map(field).orElse(null));
    }

    private void gauge(final String name, final Kind kind, final String help, final Supplier<Number> value) {
        registry.register(PREFIX + name, new NodeGauge(kind, help, value));
    }

    private static Number flag(final boolean on) {
        return on ? 1 : 0;
    }
}
