package io.understudy.backup;

import io.understudy.backup.capture.ArpCapture;
import io.understudy.backup.capture.DecodeCounters;
import io.understudy.backup.capture.Ipv4;
import io.understudy.backup.replica.ReadLogFeed;
import io.understudy.backup.replica.ReplicaCounters;
import io.understudy.backup.replica.ReplicaManager;
import io.understudy.backup.takeover.DuplicateAddressProbe;
import io.understudy.backup.takeover.GratuitousArp;
import io.understudy.backup.takeover.NetlinkAddress;
import io.understudy.backup.takeover.Takeover;
import io.understudy.backup.takeover.TakeoverReport;
import io.understudy.backup.takeover.TakeoverStep;
import io.understudy.backup.takeover.TimedCommand;
import io.understudy.backup.track.ListenerChain;
import io.understudy.backup.track.ReplicaSeed;
import io.understudy.backup.track.TapEventRecorder;
import io.understudy.backup.track.TapListener;
import io.understudy.backup.track.TcpTracker;
import io.understudy.backup.track.TrackedConnection;
import io.understudy.backup.track.TrackerCounters;
import io.understudy.logger.EventLog;
import io.understudy.logger.LogTail;
import java.io.IOException;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backup's tap: captures the service's traffic on the LAN interface in promiscuous mode and tracks the TCP state
 * of every connection, on a capture thread of its own.
 */
public final class BackupTapper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackupTapper.class);
    /** Sockets built in repair mode at start to warm the path a takeover takes. */
    private static final int WARM_UP_SOCKETS = 20;
    /** How long the claim command may take; one that hangs must not hold the takeover and its clients. */
    public static final java.time.Duration CLAIM_TIMEOUT = java.time.Duration.ofSeconds(10);

    private final TapConfig config;
    private final PcapHandle handle;
    /** Where frames for the VIP's LAN go: the tap's handle, or a send-only one on the service interface. */
    private final PcapHandle serviceHandle;

    private final TcpTracker tracker;
    private final TrackerCounters trackerCounters = new TrackerCounters();
    private final DecodeCounters decodeCounters = new DecodeCounters();
    private final CaptureAgent agent;
    private final AgentRunner runner;
    private final TapEventRecorder recorder;
    private final ReplicaCounters replicaCounters = new ReplicaCounters();
    private final ReplicaManager replicas;
    private final ReadLogFeed feed;
    private volatile LogTail tail;
    private volatile boolean tookOver;
    /** The last takeover's ICMP nudges, until {@link #nudgeClients()} sends them. */
    private volatile java.util.List<byte[]> nudges = java.util.List.of();

    private BackupTapper(
            final TapConfig config, final PcapHandle handle, final PcapHandle serviceHandle, final EventLog log)
            throws IOException {
        this.config = config;
        this.handle = handle;
        this.serviceHandle = serviceHandle;
        this.recorder = new TapEventRecorder(config.nodeId(), log);
        this.replicas = config.appAddress() == null
                ? null
                : new ReplicaManager(
                        config.nodeId(), config.appAddress(), replicaCounters, config.replay(), config.divergence());
        this.feed = config.readLog() == null
                ? null
                : new ReadLogFeed(
                        config.nodeId(),
                        config.replay(),
                        config.tracker().streamCapBytes(),
                        config.tracker().maxConnections(),
                        config.tracker().globalCapBytes());
        TapListener listeners = replicas == null ? recorder : new ListenerChain(recorder, replicas);
        if (feed != null) {
            listeners = new ListenerChain(listeners, feed); // after the replicas: it reads their offsets
        }
        // Ids from the clock stay unique in the log across restarts of the tap.
        this.tracker = new TcpTracker(
                config.nodeId(),
                config.trackerConfig(),
                listeners,
                trackerCounters,
                false,
                io.understudy.logger.ConnectionIds.startingNow());
        if (replicas != null) {
            replicas.attach(tracker.inbox());
        }
        if (feed != null) {
            feed.attach(tracker.inbox(), recorder);
        }
        this.agent = new CaptureAgent(config.nodeId(), handle, tracker, decodeCounters, replicas, feed);
        final SystemNanoClock clock = new SystemNanoClock();
        this.runner = new AgentRunner(
                // No spinning: each empty turn costs a poll(2) on the capture and an epoll_wait(2) on the replicas,
                // and at 2,000 requests a second a spinning tap thread took 0.7 of a core, mostly in those calls,
                // on cores it shares with the app and the relay. Parked 20 us to 1 ms, a frame waits at most 1 ms in
                // the ring (none is lost) and the decision's 100 ms scale does not notice.
                new BackoffIdleStrategy(1, 1, 20_000, 1_000_000),
                error -> LOG.error("[{}] tap agent error", config.nodeId(), error),
                null,
                new org.agrona.concurrent.Agent() {
                    @Override
                    public int doWork() {
                        return agent.doWork(clock.nanoTime());
                    }

                    @Override
                    public void onStart() {
                        // The tap is the takeover's evidence and its source of truth: on a busy host a capture thread
                        // that falls behind the wire proves no quiet and delays every decision (0.5 s behind was seen
                        // in the lab at an ordinary thread's share).
                        final String why = ThreadPriority.raiseCurrentThread();
                        if (why != null) {
                            LOG.warn("[{}] the capture thread runs at an ordinary priority: {}", config.nodeId(), why);
                        }
                    }

                    @Override
                    public String roleName() {
                        return "tap-" + config.nodeId();
                    }
                });
    }

    /**
     * Opens the capture and starts tracking, appending what the tap learns to {@code log} (the caller owns the log
     * and closes it after this tapper).
     *
     * <p>The service interface, when not the tap's, is opened now for sending, so that a wrong name fails here and not
     * in the middle of a takeover.
     *
     * @throws IOException naming the interface and the reason (no such interface, no permission, bad filter).
     */
    public static BackupTapper start(final TapConfig config, final EventLog log) throws IOException {
        return start(config, log, java.util.List.of());
    }

    /**
     * Like {@link #start(TapConfig, EventLog)}, and first follows the connections this node served until a planned
     * handover as hot replicas, each with its own app connection ({@link ReplicaSeed}). A seed that cannot be taken
     * on (replay mode, no app, its 4-tuple already tracked) has its app connection closed, and is logged.
     */
    public static BackupTapper start(
            final TapConfig config, final EventLog log, final java.util.List<ReplicaSeed> seeds) throws IOException {
        return start(config, log, seeds, -1);
    }

    /**
     * Like {@link #start(TapConfig, EventLog, java.util.List)}, following the read log from {@code readLogFrom}: the
     * index of the first record this backup may use, or -1 for the log's first retained record. A log that outlives
     * one primary's session (this node's own logger, on disk across role changes and restarts) holds connections of
     * earlier sessions whose end was never logged (a planned handover moves them silently); read again, they stay
     * unmatched until a new connection reuses their 4-tuple, and then feed it their old reads.
     */
    public static BackupTapper start(
            final TapConfig config, final EventLog log, final java.util.List<ReplicaSeed> seeds, final long readLogFrom)
            throws IOException {
        return start(config, log, seeds, readLogFrom, null);
    }

    /**
     * Like {@link #start(TapConfig, EventLog, java.util.List, long)}; with {@code notInStep} (why this node's app is
     * not in step with the primary's yet), connections opened before {@link #replicaInStep()} are not protected.
     */
    public static BackupTapper start(
            final TapConfig config,
            final EventLog log,
            final java.util.List<ReplicaSeed> seeds,
            final long readLogFrom,
            final String notInStep)
            throws IOException {
        final PcapHandle handle = open(config);
        PcapHandle serviceHandle = handle;
        final BackupTapper tapper;
        try {
            if (config.hasSeparateServiceInterface()) {
                serviceHandle = ArpCapture.openSendOnly(config.serviceInterface());
            }
            tapper = new BackupTapper(config, handle, serviceHandle, log);
            if (notInStep != null && tapper.replicas != null) {
                tapper.replicas.notInStep(notInStep);
            }
            tapper.seed(seeds);
        } catch (final IOException ex) {
            if (serviceHandle != handle) {
                serviceHandle.close();
            }
            handle.close();
            throw ex;
        }
        AgentRunner.startOnThread(tapper.runner);
        if (tapper.feed != null) {
            // Only the primary's records: on the backup's own logger, the log also holds this tap's events (two for
            // each the primary ships), which the feed has no use for (65,210 records streamed to it in a drill, 21,810
            // of them the primary's).
            tapper.tail = LogTail.start(
                    config.nodeId(), config.readLog(), config.readLogAuth(), readLogFrom, true, tapper.feed, 200);
        }
        LOG.info(
                "[{}] tapping {} in promiscuous mode, filter '{}', service address on {}",
                config.nodeId(),
                config.interfaceName(),
                withoutOwnClients(config),
                config.serviceInterface());
        warmUpRepair(config.nodeId());
        return tapper;
    }

    /** This node's app is in step with the primary's: connections opened from now on are protected again. */
    public void replicaInStep() {
        if (replicas != null) {
            replicas.notInStep(null);
        }
    }

    /** Before the capture thread starts: the tracker and the replicas are this thread's until then. */
    private void seed(final java.util.List<ReplicaSeed> seeds) {
        int kept = 0;
        for (final ReplicaSeed seed : seeds) {
            final long nowNs = System.nanoTime();
            final String refused = replicas == null
                    ? "no app to replicate"
                    : config.replay() ? "replay mode keeps no hot replica" : null;
            final TrackedConnection connection = refused == null ? tracker.seed(seed, nowNs) : null;
            if (connection == null) {
                closeQuietly(seed.app());
                LOG.warn(
                        "[{}] {} -> {} from before the handover not followed: {}",
                        config.nodeId(),
                        seed.client(),
                        seed.service(),
                        refused != null ? refused : "its 4-tuple is tracked already, or the table is full");
                continue;
            }
            recorder.onOpened(connection, nowNs);
            if (replicas.adopt(connection, seed) != null) {
                kept++;
            }
            if (feed != null) {
                feed.onOpened(connection, nowNs); // its read log matches it when it comes
            }
            tracker.drainInbox(nowNs);
        }
        if (!seeds.isEmpty()) {
            LOG.info(
                    "[{}] {} of the {} connections this node handed over are followed by its app as their hot replica",
                    config.nodeId(),
                    kept,
                    seeds.size());
        }
    }

    private static void closeQuietly(final java.nio.channels.SocketChannel channel) {
        try {
            channel.close();
        } catch (final IOException ignored) {
            // a socket that was not taken on: nothing more to release
        }
    }

    /**
     * Builds a few sockets in repair mode and drops them (nothing is sent), so a takeover's first restore does not
     * pay for loading and compiling that path (tens of ms on this machine), and a node that may not use TCP_REPAIR
     * says so now; and links the netlink claim's native calls (the first claim took 23-41 ms without). Never fails
     * the tap: a takeover reports each connection it cannot restore anyway, and runs the claim command without netlink.
     */
    private static void warmUpRepair(final String nodeId) {
        final long startNs = System.nanoTime();
        try {
            final long lastUs = io.understudy.backup.repair.TcpRepair.warmUp(WARM_UP_SOCKETS);
            LOG.info(
                    "[{}] TCP_REPAIR ready: {} sockets built in repair mode and dropped in {} ms, the last in {} us",
                    nodeId,
                    WARM_UP_SOCKETS,
                    (System.nanoTime() - startNs) / 1_000_000,
                    lastUs);
        } catch (final IOException | RuntimeException ex) {
            LOG.error(
                    "[{}] TCP_REPAIR does not work here: a takeover would restore no connection: {}",
                    nodeId,
                    ex.getMessage());
        }
        try {
            NetlinkAddress.warmUp("lo");
        } catch (final RuntimeException | LinkageError ex) {
            LOG.warn(
                    "[{}] the claim by netlink is not available here ({}): a takeover runs the claim command",
                    nodeId,
                    ex.toString());
        }
    }

    /**
     * The capture filter, leaving out connections this host itself opens to the service (the node's own probe of
     * VIP:port before a takeover, a monitor on this host): they are nobody's to protect, and one the primary had not
     * closed yet when it died would be reported as a connection the takeover could not restore.
     */
    public static String withoutOwnClients(final TapConfig config) throws IOException {
        final StringBuilder filter = new StringBuilder(config.captureFilter());
        final java.net.NetworkInterface nic = java.net.NetworkInterface.getByName(config.interfaceName());
        if (nic != null) {
            for (final java.net.InterfaceAddress address : nic.getInterfaceAddresses()) {
                if (address.getAddress() instanceof java.net.Inet4Address own
                        && !own.getHostAddress().equals(config.serviceAddress())) {
                    filter.append(" and not (src host ")
                            .append(own.getHostAddress())
                            .append(" and dst host ")
                            .append(config.serviceAddress())
                            .append(") and not (src host ")
                            .append(config.serviceAddress())
                            .append(" and dst host ")
                            .append(own.getHostAddress())
                            .append(')');
                }
            }
        }
        return filter.toString();
    }

    private static PcapHandle open(final TapConfig config) throws IOException {
        PcapHandle handle = null;
        try {
            handle = new PcapHandle.Builder(config.interfaceName())
                    .snaplen(config.snapLengthBytes())
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.PROMISCUOUS)
                    .immediateMode(true)
                    .bufferSize(config.bufferBytes())
                    .timeoutMillis(10)
                    .build();
            handle.setFilter(withoutOwnClients(config), org.pcap4j.core.BpfProgram.BpfCompileMode.OPTIMIZE);
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            return handle;
        } catch (final PcapNativeException | NotOpenException ex) {
            if (handle != null) {
                handle.close();
            }
            throw new IOException(
                    "cannot capture on interface '" + config.interfaceName() + "' (needs CAP_NET_RAW "
                            + "and an existing interface): " + ex.getMessage(),
                    ex);
        }
    }

    /**
     * When the tap last heard the service make progress (new bytes to a client, or a new ack of client bytes), by
     * System.nanoTime() and the frame's capture stamp, moved later by how far the capture is behind now: a tap with
     * a backlog has not heard what the primary did since, so its silence proves nothing (now minus this is how long
     * the tap knows the primary was quiet). A time long past when never.
     */
    public long lastServerProgressNs() {
        final long last = trackerCounters.lastServerProgressNs;
        if (last == 0) {
            return System.nanoTime() - Long.MAX_VALUE / 2;
        }
        return last + Math.max(0, System.nanoTime() - agent.caughtUpNs());
    }

    /** How long ago the capture last found no frame waiting: how far behind the wire the tap may be. */
    public long captureBehindMs() {
        return Math.max(0, System.nanoTime() - agent.caughtUpNs()) / 1_000_000;
    }

    /**
     * Since when client bytes have waited with no progress at all from the service (tap-as-detector): the first new
     * client bytes heard after the service's last progress, by System.nanoTime(), moved later by how far the capture
     * is behind now, as {@link #lastServerProgressNs()} is. Now when no client bytes wait, so now minus this is how
     * long the tap knows clients have waited on a primary that made no progress.
     */
    public long clientsWaitingSinceNs() {
        final long since = trackerCounters.clientWaitingSinceNs;
        final long nowNs = System.nanoTime();
        return since == 0 ? nowNs : since + Math.max(0, nowNs - agent.caughtUpNs());
    }

    /**
     * Every connection the tap tracks now, with why each is or is not protected. Empty once the tap has stopped.
     *
     * @throws IOException when the capture thread does not answer within a second.
     */
    public java.util.List<TapConnection> connections() throws IOException, InterruptedException {
        if (runner.isClosed()) {
            return java.util.List.of();
        }
        try {
            return agent.requestConnections().get(1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
            throw new IOException("the capture thread did not list its connections within 1 s", ex);
        }
    }

    /**
     * The primary's read-log id of the tapped connection whose replica socket has {@code appSidePort} here (the app
     * sees it as its peer's port): -1 while the read log has not matched the connection, 0 when no replica has that
     * port. Any thread; a map lookup, nothing asked of the capture thread.
     */
    public long primaryIdOfReplicaPort(final int appSidePort) {
        return replicas == null ? 0 : replicas.primaryIdOfAppSidePort(appSidePort);
    }

    /** The tap's counters; safe from any thread (the tracker's table is the capture thread's alone). */
    public TapStats stats() {
        final int tracked = trackerCounters.connectionsTracked;
        return new TapStats(
                !runner.isClosed(),
                decodeCounters.frames(),
                decodeCounters.skipped(),
                trackerCounters.segments,
                agent.kernelDrops(),
                tracked,
                trackerCounters.connectionsOpened,
                trackerCounters.connectionsMidStream,
                trackerCounters.overflowedStreams,
                tracker.budget().usedBytes(),
                recorder.appended(),
                recorder.failures(),
                replicas == null ? 0 : replicas.size(),
                replicaCounters.divergences,
                agent.errors(),
                config.replay() ? "replay" : "hot",
                tail != null && tail.stats().connected(),
                feed == null ? 0 : feed.received(),
                tail == null ? -1 : tail.stats().lastIndex(),
                feed == null ? 0 : feed.matched(),
                trackerCounters.bytesFromLog,
                trackerCounters.bytesFromReplica,
                feed == null ? 0 : feed.unmatchedDropped(),
                trackerCounters.connectionsClosed,
                trackerCounters.connectionsReset,
                trackerCounters.connectionsRefusedOverLimit,
                replicaCounters.replicaFailures,
                config.divergence().describe(),
                replicaCounters.toleratedDifferences,
                replicaCounters.toleratedDifferingBytes);
    }

    /**
     * Takes the service over from a dead primary: stops tracking (after the frames already captured), brings every
     * protected connection's replica up to the primary's state and restores the client's socket with TCP_REPAIR.
     * {@code beforeRelease} runs when every socket is rebuilt, before any speaks (claim the address, open the
     * listener); the caller then relays the restored connections. Once only.
     *
     * @param catchUpTimeoutMs how long replicas may take to produce what the primary had sent.
     */
    public TakeoverReport takeOver(final long catchUpTimeoutMs, final TakeoverStep beforeRelease)
            throws IOException, InterruptedException {
        return takeOver(catchUpTimeoutMs, true, beforeRelease);
    }

    /**
     * Like {@link #takeOver(long, TakeoverStep)}; {@code nudgeClients} false sends no ICMP nudges after the restore
     * ({@code takeover.nudgeClients}: for clients that set IP_RECVERR on their TCP sockets).
     */
    public TakeoverReport takeOver(
            final long catchUpTimeoutMs, final boolean nudgeClients, final TakeoverStep beforeRelease)
            throws IOException, InterruptedException {
        if (tookOver) {
            throw new IllegalStateException("takeover already done");
        }
        tookOver = true;
        final long startNs = System.nanoTime();
        runner.close();
        final long nowNs = System.nanoTime();
        int drained = 0;
        while (agent.doWork(nowNs) > 0) {
            drained++; // drain what the capture already holds: the last frames the primary sent
        }
        final long drainedNs = System.nanoTime();
        final LogTail followed = tail;
        if (followed != null) {
            followed.close();
            while (agent.doWork(System.nanoTime()) > 0) {
                drained++; // and the last records of the read log
            }
        }
        LOG.info(
                "[{}] takeover: capture stopped in {} ms, {} rounds drained in {} ms, read log closed in {} ms",
                config.nodeId(),
                (nowNs - startNs) / 1_000_000,
                drained,
                (drainedNs - nowNs) / 1_000_000,
                (System.nanoTime() - drainedNs) / 1_000_000);
        if (replicas == null) {
            final java.util.Map<String, String> none = new java.util.LinkedHashMap<>();
            tracker.connections().forEach(c -> none.put(c.toString(), "no hot replica configured"));
            beforeRelease.run();
            return new TakeoverReport(java.util.List.of(), none, 0);
        }
        // The VIP's interface sends the duplicate ACKs, so they carry its MAC; none (loopback) sends none.
        final java.net.NetworkInterface serviceNic = java.net.NetworkInterface.getByName(config.serviceInterface());
        final byte[] ourMac = serviceNic == null ? null : serviceNic.getHardwareAddress();
        final Takeover takeover =
                new Takeover(config.nodeId(), tracker, replicas, ourMac, catchUpTimeoutMs, beforeRelease);
        final TakeoverReport report = takeover.run();
        if (nudgeClients) {
            nudges = takeover.nudges();
        } else {
            LOG.info("[{}] no ICMP nudges to the clients (takeover.nudgeClients: false)", config.nodeId());
        }
        sendDuplicateAcks(takeover.duplicateAcks());
        sendResets(takeover.resets());
        return report;
    }

    /** Tells the clients of the connections not restored that they are gone (twice: a lost RST is not resent). */
    private void sendResets(final java.util.List<byte[]> frames) {
        if (frames.isEmpty()) {
            return;
        }
        try {
            for (int round = 0; round < 2; round++) {
                for (final byte[] frame : frames) {
                    serviceHandle.sendPacket(frame);
                }
            }
            LOG.info(
                    "[{}] sent {} RSTs to the clients of the connections not restored", config.nodeId(), frames.size());
        } catch (final PcapNativeException | NotOpenException ex) {
            LOG.warn(
                    "[{}] RSTs to the clients of the connections not restored not sent: {}",
                    config.nodeId(),
                    ex.getMessage());
        }
    }

    /**
     * Sends the ICMP nudges of the last takeover's restored connections, on the service interface, once: a client
     * backing off from the dead primary retransmits at once (RFC 6069). The caller sends them once the relay has the
     * connections, so that their 110-210 ms (2,000 connections) do not hold the relay back. Logged with how long they
     * took; none after a takeover with nudges off.
     */
    public void nudgeClients() {
        final java.util.List<byte[]> frames = nudges;
        nudges = java.util.List.of();
        if (frames.isEmpty()) {
            return;
        }
        final long startNs = System.nanoTime();
        final long lastHeardNs = trackerCounters.lastServerProgressNs;
        final long outageNs = lastHeardNs == 0 ? Long.MAX_VALUE : startNs - lastHeardNs;
        final int rounds = io.understudy.backup.takeover.RetransmitNudge.rounds(outageNs);
        try {
            for (int round = 0; round < rounds; round++) {
                for (final byte[] frame : frames) {
                    serviceHandle.sendPacket(frame);
                }
            }
            LOG.info(
                    "[{}] nudged the clients of the restored connections to retransmit: {} ICMP frames ({} passes, "
                            + "the primary last heard {} ms before) in {} ms",
                    config.nodeId(),
                    frames.size() * rounds,
                    rounds,
                    lastHeardNs == 0 ? "never" : String.valueOf(outageNs / 1_000_000),
                    (System.nanoTime() - startNs) / 1_000_000);
        } catch (final PcapNativeException | NotOpenException ex) {
            LOG.warn("[{}] ICMP nudges after the takeover not sent: {}", config.nodeId(), ex.getMessage());
        }
    }

    /**
     * Three duplicate ACKs per restored connection, on the service interface: a client without SACK retransmits at
     * once.
     */
    private void sendDuplicateAcks(final java.util.List<byte[]> frames) {
        try {
            for (int round = 0; round < 3; round++) {
                for (final byte[] frame : frames) {
                    serviceHandle.sendPacket(frame);
                }
            }
        } catch (final PcapNativeException | NotOpenException ex) {
            LOG.warn("[{}] duplicate ACKs after the takeover not sent: {}", config.nodeId(), ex.getMessage());
        }
    }

    /**
     * Asks the service interface's LAN whether another host has the service address (RFC 5227 probes, see
     * {@link DuplicateAddressProbe}), blocking for at most about {@code wait}. A node claims the address only when
     * the result has no conflict; this method claims nothing itself.
     *
     * @throws IOException when the probe cannot be sent or heard; whether the address is free is then unknown.
     */
    public DuplicateAddressProbe.Result probeServiceAddress(final java.time.Duration wait)
            throws IOException, InterruptedException {
        final DuplicateAddressProbe.Result result = DuplicateAddressProbe.probe(
                config.serviceInterface(), config.serviceAddress(), DuplicateAddressProbe.DEFAULT_PROBES, wait);
        LOG.info(
                "[{}] probed {} on {}: {} in {} ms",
                config.nodeId(),
                config.serviceAddress(),
                config.serviceInterface(),
                result.conflictingMac().map(mac -> "held by " + mac).orElse("free"),
                result.took().toMillis());
        return result;
    }

    /**
     * Makes the service address this host's: adds it with the given command, then announces it on the service
     * interface with gratuitous ARP, from that interface's MAC, so the LAN sends the clients' segments here.
     *
     * @param addCommand the command that adds the address (e.g. ip addr add VIP/24 dev eth0, which is done by netlink
     *                   in-process); exit 2 with "File exists" (already added) counts as done.
     * @return how it was added and how long that took ("by netlink in 0 ms"), for the failover report.
     * @throws IOException when the command fails, or does not finish within {@link #CLAIM_TIMEOUT} (it is then
     *                     killed, and the address may or may not have been added); a failed announcement is logged.
     */
    public String claimServiceAddress(final java.util.List<String> addCommand)
            throws IOException, InterruptedException {
        final long startNs = System.nanoTime();
        final String how = addAddress(addCommand);
        final long commandNs = System.nanoTime() - startNs;
        final String claim = how + " in " + commandNs / 1_000_000 + " ms";
        final byte[] mac = ArpCapture.hardwareAddress(config.serviceInterface());
        final int address = Ipv4.ipv4(config.serviceAddress());
        try {
            for (int i = 0; i < 3; i++) {
                serviceHandle.sendPacket(GratuitousArp.frame(mac, address, GratuitousArp.REQUEST));
                serviceHandle.sendPacket(GratuitousArp.frame(mac, address, GratuitousArp.REPLY));
            }
        } catch (final PcapNativeException | NotOpenException ex) {
            // The address is ours now; the LAN learns it by ARP later, or from the announcement the new primary
            // repeats when its link comes back: a takeover is not undone for this.
            LOG.warn(
                    "[{}] claimed {} ({}), but gratuitous ARP on {} failed (link down?): {}",
                    config.nodeId(),
                    config.serviceAddress(),
                    claim,
                    config.serviceInterface(),
                    ex.getMessage());
            return claim;
        }
        LOG.info(
                "[{}] claimed {} ({}) and announced it by gratuitous ARP on {} (the announcement {} ms)",
                config.nodeId(),
                config.serviceAddress(),
                claim,
                config.serviceInterface(),
                (System.nanoTime() - startNs - commandNs) / 1_000_000);
        return claim;
    }

    /**
     * Runs the claim command; one of the shape {@code ip addr add CIDR dev IFACE} is done by one netlink request
     * instead, without a process ({@link NetlinkAddress}), and by the command when netlink fails. Returns how.
     */
    private String addAddress(final java.util.List<String> addCommand) throws IOException, InterruptedException {
        final java.util.Optional<NetlinkAddress.Request> direct = NetlinkAddress.parse(addCommand);
        String how = "by the command";
        if (direct.isPresent()) {
            try {
                NetlinkAddress.add(direct.get());
                return "by netlink";
            } catch (final IOException | RuntimeException | LinkageError ex) {
                LOG.warn(
                        "[{}] the claim by netlink failed ({}): running {}",
                        config.nodeId(),
                        ex.getMessage(),
                        addCommand);
                how = "by the command, netlink having failed: " + ex.getMessage();
            }
        }
        final TimedCommand.Outcome outcome = TimedCommand.run(addCommand, CLAIM_TIMEOUT);
        if (outcome.exit() != 0 && !outcome.output().contains("File exists")) {
            throw new IOException("claiming the service address failed: " + addCommand + " exited " + outcome.exit()
                    + ": " + outcome.output().strip());
        }
        return how;
    }

    /** Stops the capture thread and closes the capture, and the service interface's handle when it has one. */
    @Override
    public void close() {
        runner.close();
        final LogTail followed = tail;
        if (followed != null) {
            followed.close();
        }
        if (replicas != null) {
            replicas.close();
        }
        if (serviceHandle != handle) {
            serviceHandle.close();
        }
        handle.close();
        recorder.close(); // the tap's last events reach the event log before it closes
        LOG.info("[{}] tap closed: {}", config.nodeId(), stats());
    }
}
