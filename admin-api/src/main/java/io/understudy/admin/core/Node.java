package io.understudy.admin.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.lifecycle.Managed;
import io.understudy.admin.api.AppFailureReport;
import io.understudy.admin.api.DemotionReport;
import io.understudy.admin.api.DrillReport;
import io.understudy.admin.api.FailoverReport;
import io.understudy.admin.api.FastHeartbeatStatus;
import io.understudy.admin.api.MovedInput;
import io.understudy.admin.app.AppCheckSettings;
import io.understudy.admin.auth.ApiTls;
import io.understudy.admin.cluster.Announcement;
import io.understudy.admin.cluster.FastHeartbeat;
import io.understudy.admin.cluster.Membership;
import io.understudy.admin.cluster.MembershipListener;
import io.understudy.admin.cluster.MembershipView;
import io.understudy.backup.BackupTapper;
import io.understudy.backup.TapStats;
import io.understudy.backup.repair.TcpRepair;
import io.understudy.backup.takeover.RestoredConnection;
import io.understudy.backup.takeover.TakeoverReport;
import io.understudy.backup.track.ReplicaSeed;
import io.understudy.logger.EventLog;
import io.understudy.logger.EventLogConfig;
import io.understudy.logger.LogServer;
import io.understudy.logger.LogServerStats;
import io.understudy.primary.PrimaryWrapper;
import io.understudy.primary.ReadLogStats;
import io.understudy.primary.RelayStats;
import io.understudy.primary.RelayedConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node: one of the pair, started and stopped with the Dropwizard server. It wires the parts and owns the role
 * ({@link RoleMachine}: every change through one transition, with the pair's epoch); what each role runs lives in
 * {@link PrimaryRole} and {@link BackupRole}, how settings become their configs in {@link NodeWiring}, the decision
 * to take over in {@link TakeoverDecider}, fencing in {@link Fence}.
 * <p>
 * The safety argument (README, "Never two holders"): a backup claims the service address only after fencing the
 * primary (or after the primary released it and asked), and only when no other MAC answers ARP for it; a primary
 * relays only under a lease its keeper renews every 10 ms, and a keeper that was held up checks for another holder
 * before renewing; a primary that hears its peer announce PRIMARY at a higher epoch, or finds another MAC answering
 * for the address, gives up at once (TCP_REPAIR close, address released) and becomes the backup.
 */
public final class Node implements Managed, MembershipListener {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    /** A handover request's budget when the primary does not send one. */
    private static final long HANDOVER_MARGIN_MS = 10_000;
    /** Takeovers tried in a row while the primary stays gone (each failure leaves the node the backup). */
    private static final int TAKEOVER_ATTEMPTS = 5;
    /** How long the primary's API may take to say whether it handed over; a loaded live host answers within it. */
    private static final Duration PEER_STATUS_TIMEOUT = Duration.ofMillis(300);
    /** A live host's kernel accepts a connection to the API at once; a crashed one is known to be gone after this. */
    private static final Duration PEER_CONNECT_TIMEOUT = Duration.ofMillis(50);

    private static final long EARLY_PROBE_TICK_MS = 5;
    /** Failed direct probes in a row that confirm a lost heartbeat ({@link #deciderSettings}). */
    private static final int CONFIRMATIONS = 2;
    /**
     * How long a seed request waits for its connection: on a backup, the read log's record of it follows the
     * replica's connect by the log's lag.
     */
    private static final long SEED_WAIT_MS = 2_000;
    /** A question to the primary's API asked while its heartbeat was late serves the decision this long after. */
    private static final long RELEASE_CHECK_FRESH_NS = 1_000_000_000L;

    private final NodeSettings settings;
    private final ExecutorService decisions = Executors.newSingleThreadExecutor(runnable -> {
        final Thread thread = new Thread(runnable, "takeover-decisions");
        thread.setDaemon(true);
        return thread;
    });
    /** Asks the primary's API whether it handed over, while the decider probes (PeerReleaseCheck). */
    private final ExecutorService peerChecks = Executors.newCachedThreadPool(runnable -> {
        final Thread thread = new Thread(runnable, "peer-release-check");
        thread.setDaemon(true);
        return thread;
    });

    private volatile PeerReleaseCheck releaseCheck;
    /** Probes the service while the heartbeat is late, before it is declared lost (EarlyProbes). */
    private final ScheduledExecutorService earlyProber = Executors.newSingleThreadScheduledExecutor(runnable -> {
        final Thread thread = new Thread(runnable, "early-probe");
        thread.setDaemon(true);
        return thread;
    });

    private final EarlyProbes earlyProbes;
    /** From how many ms of fast silence the early probes run ({@link EarlyProbes#lateAfterMs}). */
    private final long earlyProbeAfterMs;

    private final Object drillLock = new Object();
    private final RelayWatchdog watchdog;
    private final ServiceProbe probe;
    private final Fence fence;
    private final PeerJudge judge;
    private volatile NodeWiring wiring;
    private volatile RoleMachine machine;
    private volatile PrimaryRole primary;
    /** The app's shim's seed socket ({@code replica.seedSocket}), or null. */
    private SeedService seeds;

    private volatile BackupRole backup;
    private volatile EventLog eventLog;
    private volatile Membership membership;
    /** The fast heartbeat beside the JGroups view; null when off (setting, or no pair secret). */
    private volatile FastHeartbeat fastHeartbeat;

    private volatile AppSupervisor app;
    private volatile FailoverReport lastFailover;
    /** From the last takeover, for the old primary's replicas after a planned handover; never shown in status. */
    private volatile List<MovedInput> lastHandback;
    /** Closes the tap and logger a takeover left behind; a new backup role waits for it (the logger's port). */
    private volatile Thread backupCloser;

    private volatile DrillReport lastDrill;
    private volatile AppFailureReport lastAppFailure;
    private volatile DemotionReport lastDemotion;
    private volatile boolean evaluating;
    /** A handover the primary asked for while this backup was evaluating a lost heartbeat: take over now. */
    private volatile String handoverTrigger;
    /** How often the backup looks for a handover while a live primary's own app check runs. */
    private static final long LIVE_PRIMARY_POLL_MS = 10;

    private volatile String takeoverFailure;
    private volatile String addressAlarm;
    private volatile String apiToken = "";
    /** How the peer's API is reached: plain HTTP unless this node's API speaks https. */
    private volatile ApiTls.PeerClient peerClient = ApiTls.PeerClient.plain();
    /** Until when a crash drill the primary announced lets this node take over without fencing it. */
    private volatile long crashDrillUntilNs = System.nanoTime();

    private volatile PeerState peerState;
    private String lastCutOff = "";
    /**
     * When this node's own link last came back after a decision found it cut off (System.nanoTime(); start: never):
     * the tap heard nothing and the probes reached nothing while it was down, so that is no evidence against the
     * primary, and the tap's quiet counts from here.
     */
    private volatile long ownLinkBackNs = System.nanoTime() - Long.MAX_VALUE / 2;

    /** The peer's last announcement. */
    private record PeerState(String peerId, String state, long epoch, long atNs) {}

    public Node(final NodeSettings settings) {
        this.settings = settings;
        this.probe = new ServiceProbe(
                new InetSocketAddress(settings.getServiceAddress(), settings.getServicePort()),
                settings.getTakeover().getProbeTimeoutMs());
        this.watchdog = new RelayWatchdog(
                settings.getId(),
                this::relay,
                settings.getApp().getCheck().getRelayStallMs(),
                why -> app.onRelayStalled(why));
        this.fence = new Fence(settings.getId(), settings.getTakeover());
        this.earlyProbes = new EarlyProbes(
                settings.getTakeover().getProbeTimeoutMs(), 2 * TakeoverDecider.Settings.DEFAULT_RECHECK_INTERVAL_MS);
        this.earlyProbeAfterMs = EarlyProbes.lateAfterMs(
                settings.getMembership().getFastIntervalMs(),
                settings.getMembership().getFastSilentMs(),
                settings.getTakeover().getProbeTimeoutMs(),
                CONFIRMATIONS,
                EARLY_PROBE_TICK_MS);
        this.judge = new PeerJudge(
                settings.getId(),
                this::peerApi,
                () -> membership.isPeerPresent(),
                () -> membership.view().members(),
                this::otherHolder,
                PeerJudge.PEER_VIEW_WAIT_MS);
    }

    @Override
    public void start() throws IOException {
        wiring = NodeWiring.load(settings);
        machine = RoleMachine.open(settings.getId(), Path.of(settings.getStateDirectory()));
        Role side = settings.getRole();
        String why = "started as configured (" + side.name().toLowerCase(Locale.ROOT) + ")";
        if (side == Role.PRIMARY && probe.answers()) {
            LOG.warn(
                    "[{}] configured as primary, but {}:{} already answers: another node holds the service; "
                            + "starting as backup",
                    settings.getId(),
                    settings.getServiceAddress(),
                    settings.getServicePort());
            side = Role.BACKUP;
            why = "configured as primary, but the service already answered elsewhere";
        }
        DirectMemory.checkFits(settings.getMaxConnections(), settings.getRelayBufferBytes());
        seeds = startSeedService();
        app = new AppSupervisor(
                settings.getId(),
                settings.getApp(),
                new InetSocketAddress(settings.getAppAddress(), settings.getAppPort()),
                this::onAppFailed);
        app.start();
        final EventLogSettings log = settings.getEventLog();
        eventLog = EventLog.open(EventLogConfig.of(Path.of(log.getDirectory()))
                .withRollCycle(log.getRollCycle())
                .withRetainCycles(log.getRetainCycles()));
        if (side == Role.PRIMARY) {
            primary = startPrimary();
        } else {
            backup = BackupRole.start(wiring, eventLog);
        }
        machine.transition(side == Role.PRIMARY ? RoleMachine.State.PRIMARY : RoleMachine.State.BACKUP, why);
        membership = Membership.start(wiring.membershipConfig(), this);
        membership.announce(() -> new Announcement(machine.state().name(), machine.epoch()));
        startFastHeartbeat();
        watchdog.start();
        earlyProber.scheduleWithFixedDelay(
                this::probeEarly, EARLY_PROBE_TICK_MS, EARLY_PROBE_TICK_MS, TimeUnit.MILLISECONDS);
        final Thread warmUp = new Thread(() -> PeerApi.warmUp(this::peerApi), "peer-api-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        LOG.info(
                "[{}] started as {} (epoch {}): service {}:{}, app {}:{}",
                settings.getId(),
                machine.state(),
                machine.epoch(),
                settings.getServiceAddress(),
                settings.getServicePort(),
                settings.getAppAddress(),
                settings.getAppPort());
    }

    private PrimaryRole startPrimary() throws IOException {
        return startPrimary(false);
    }

    /** The seed socket for the app's understudy-shim, when {@code replica.seedSocket} names one. */
    private SeedService startSeedService() throws IOException {
        final Optional<Path> socket = settings.getReplica().getSeedSocket();
        if (socket.isEmpty()) {
            return null;
        }
        final byte[] key = wiring.appSeedKey()
                .orElseThrow(() -> new io.understudy.logger.UnderstudyException("nodeId=" + settings.getId()
                        + ", replica.seedSocket="
                        + socket.get() + " needs the pair's secret (node.security.secretFile): the seeds derive from "
                        + "it, and without it anyone could compute them"));
        return SeedService.start(settings.getId(), socket.get(), key, this::primaryIdOf, SEED_WAIT_MS);
    }

    /**
     * The primary's read-log id of the connection whose app-side socket here has port: the relay's socket to the app
     * on a primary, the replica's on a backup (known once the read log matched it: PENDING before); 0 when this node
     * has no such connection.
     */
    private long primaryIdOf(final int appSidePort) {
        final PrimaryWrapper relay = relay();
        final long relayed = relay == null ? 0 : relay.loggedIdOfAppPort(appSidePort);
        if (relayed != 0) {
            return Math.max(0, relayed);
        }
        final BackupRole standing = backup;
        final long tapped = standing == null ? 0 : standing.tapper().primaryIdOfReplicaPort(appSidePort);
        return tapped < 0 ? SeedService.ConnectionIds.PENDING : tapped;
    }

    /** {@code beforeClaim}: the relay listens before this node holds the service address (IP_FREEBIND). */
    private PrimaryRole startPrimary(final boolean beforeClaim) throws IOException {
        final long leaseMs = Math.max(50, settings.getMembership().getFailureTimeoutMs() / 2);
        return PrimaryRole.start(
                wiring,
                app,
                this::onRelayDied,
                leaseMs,
                this::stillSoleHolder,
                this::onAddressConflict,
                this::announceAddress,
                beforeClaim);
    }

    /**
     * The peer's GET /status as it answered (a connect within 500 ms, an answer within 2 s).
     *
     * @throws IOException saying why it could not be read.
     */
    public com.fasterxml.jackson.databind.JsonNode peerStatus() throws IOException, InterruptedException {
        final PeerApi peer;
        try {
            peer = peerApi();
        } catch (final RuntimeException noPeer) {
            throw new IOException("no peer: " + noPeer.getMessage(), noPeer);
        }
        return peer.status(Duration.ofSeconds(2), Duration.ofMillis(500));
    }

    /** The peer's API as this node reaches it (its base URL), or null when no peer is configured. */
    public String peerApiUrl() {
        try {
            return wiring.peerApiBase(peerClient.scheme()).toString();
        } catch (final RuntimeException noPeer) {
            return null;
        }
    }

    private PeerApi peerApi() {
        final ApiTls.PeerClient client = peerClient;
        return new PeerApi(wiring.peerApiBase(client.scheme()), apiToken, client.http());
    }

    // ---------------------------------------------------------------- the peer's announcements, demotion

    @Override
    public void onPeerState(final String peerId, final String state, final long epoch) {
        final PeerState before = peerState;
        peerState = new PeerState(peerId, state, epoch, System.nanoTime());
        final RoleMachine roles = machine;
        roles.peerAnnounced(epoch);
        if (roles.state() == RoleMachine.State.PRIMARY && "PRIMARY".equals(state) && roles.yieldsTo(epoch, peerId)) {
            decisions.submit(() -> demote("the peer " + peerId + " announces PRIMARY at epoch " + epoch
                    + ", above this node's " + roles.epoch()));
        } else if (roles.state() == RoleMachine.State.PRIMARY
                && before != null
                && "PRIMARY".equals(before.state())
                && !"PRIMARY".equals(state)) {
            LOG.info(
                    "[{}] the peer {} gave the service up ({}): this node is the only primary; announcing the "
                            + "address again",
                    settings.getId(),
                    peerId,
                    state);
            announceAddressRepeatedly();
        }
    }

    /**
     * Gratuitous ARP now, 1.2 s and 3 s later: a Linux client ignores an ARP update within a second of the last
     * (locktime), and the other holder's own ARP may have just moved its cache.
     */
    private void announceAddressRepeatedly() {
        for (final long delayMs : new long[] {0, 1_200, 3_000}) {
            CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS).execute(() -> {
                if (machine.state() == RoleMachine.State.PRIMARY) {
                    announceAddress();
                }
            });
        }
    }

    /** Gratuitous ARP for the service address from here, to undo what another holder's ARP taught the LAN. */
    private void announceAddress() {
        try {
            io.understudy.backup.takeover.GratuitousArp.announce(
                    settings.getServiceInterface(), settings.getServiceAddress());
        } catch (final IOException ex) {
            LOG.warn("[{}] could not announce the service address again: {}", settings.getId(), ex.getMessage());
        }
    }

    /**
     * The relay lease's check after this node was held up: true when it may relay on. Only a PRIMARY checks: a node
     * handing over has released the address on purpose, and its ARP probe would look to the taking-over peer's
     * pre-claim probe like a rival claimant (it refuses), and the peer's probe like one to this node (it demotes after
     * a roll back): no holder at all. The handover's own answer decides there. A demotion is made only in the term
     * (epoch) the check saw, so a verdict from before a roll back never demotes the node that took the address back.
     */
    private boolean stillSoleHolder(final long heldMs) {
        final long term = machine.epoch();
        final RoleMachine.State state = machine.state();
        if (state != RoleMachine.State.PRIMARY) {
            LOG.info(
                    "[{}] held up {} ms while {}: no ARP check, the handover decides who holds the address",
                    settings.getId(),
                    heldMs,
                    state);
            return true;
        }
        final PeerState peer = peerState;
        if (peer != null && "PRIMARY".equals(peer.state()) && machine.yieldsTo(peer.epoch(), peer.peerId())) {
            decisions.submit(() -> demoteInTerm(
                    term,
                    "after being held up " + heldMs + " ms: the peer " + peer.peerId() + " announced PRIMARY at epoch "
                            + peer.epoch()));
            return false;
        }
        final Optional<String> other = otherHolder();
        if (machine.epoch() != term) {
            LOG.info(
                    "[{}] the role changed while checking for another holder (now {} at epoch {}): its answer is void",
                    settings.getId(),
                    machine.state(),
                    machine.epoch());
            return true;
        }
        if (other.isPresent()) {
            final Optional<String> older = olderPrimary();
            if (older.isPresent()) {
                // Both were held up at once (the old primary paused, this node's keeper late on the loaded host when
                // it resumed): the old one yields to the higher epoch; were this one to yield too, nobody serves.
                LOG.warn(
                        "[{}] held up {} ms, and another host ({}) answers ARP for the service address: {}; this "
                                + "node keeps it and announces it again",
                        settings.getId(),
                        heldMs,
                        other.get(),
                        older.get());
                announceAddressRepeatedly();
                return true;
            }
            decisions.submit(() -> demoteInTerm(
                    term,
                    "after being held up " + heldMs + " ms, another host (" + other.get()
                            + ") answers ARP for the service address"));
            return false;
        }
        return true;
    }

    /**
     * Why the other holder of the address is the peer, a primary of an older term that yields to this node: its API
     * says PRIMARY at a lower epoch (or, unreadable, its last announcement did). Empty when that is not known.
     */
    private Optional<String> olderPrimary() {
        final long ours = machine.epoch();
        final Optional<JsonNode> status = judge.status();
        if (status.isPresent()) {
            final long theirs = status.get().path("epoch").asLong(-1);
            return "PRIMARY".equals(status.get().path("role").asText())
                            && theirs >= 0
                            && theirs < ours
                            && !machine.yieldsTo(
                                    theirs, status.get().path("nodeId").asText(""))
                    ? Optional.of("the peer's API says PRIMARY at epoch " + theirs + ", below this node's " + ours)
                    : Optional.empty();
        }
        final PeerState peer = peerState;
        return peer != null
                        && "PRIMARY".equals(peer.state())
                        && peer.epoch() < ours
                        && !machine.yieldsTo(peer.epoch(), peer.peerId())
                ? Optional.of("the peer last announced PRIMARY at epoch " + peer.epoch() + ", below this node's " + ours
                        + " (its API did not answer)")
                : Optional.empty();
    }

    /** The MAC of another host that answers ARP for the service address now, if one does. */
    private Optional<String> otherHolder() {
        try {
            return io.understudy.backup.takeover.DuplicateAddressProbe.probe(
                            settings.getServiceInterface(),
                            settings.getServiceAddress(),
                            io.understudy.backup.takeover.DuplicateAddressProbe.DEFAULT_PROBES,
                            Duration.ofMillis(settings.getTakeover().getDuplicateAddressWaitMs()))
                    .conflictingMac();
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (final IOException ex) {
            LOG.warn(
                    "[{}] cannot probe the service address with ARP on {}: {}",
                    settings.getId(),
                    settings.getServiceInterface(),
                    ex.getMessage());
            return Optional.empty();
        }
    }

    /** Another host answered ARP for the service address while this node is primary (the address watch). */
    private void onAddressConflict(final String otherMac, final Instant at) {
        if (machine.state() != RoleMachine.State.PRIMARY) {
            return; // a handover: the new primary's gratuitous ARP is expected
        }
        addressAlarm = Instant.now() + ": " + otherMac + " answers ARP for " + settings.getServiceAddress()
                + " while this node (" + settings.getId() + ") holds it";
        LOG.error("[{}] ALARM: {}", settings.getId(), addressAlarm);
        decisions.submit(() -> {
            final Optional<JsonNode> status = judge.status();
            if (status.isPresent()
                    && "PRIMARY".equals(status.get().path("role").asText())
                    && machine.yieldsTo(
                            status.get().path("epoch").asLong(-1),
                            status.get().path("nodeId").asText(""))) {
                demote("another host (" + otherMac + ") answers ARP for the service address and the peer serves "
                        + "at epoch " + status.get().path("epoch").asLong());
            } else {
                announceAddressRepeatedly(); // this node keeps the address: the LAN must learn it back
            }
        });
    }

    /** {@link #demote(String)}, unless the role changed since epoch {@code term} (a handover, a roll back). */
    private void demoteInTerm(final long term, final String reason) {
        synchronized (drillLock) {
            if (machine.epoch() != term) {
                LOG.info(
                        "[{}] not demoting ({}): that was seen at epoch {}, and the role has changed since (now {} at "
                                + "epoch {})",
                        settings.getId(),
                        reason,
                        term,
                        machine.state(),
                        machine.epoch());
                return;
            }
            demote(reason);
        }
    }

    /**
     * This primary was superseded: it gives every connection up silently (the new primary serves them), releases the
     * address and becomes the backup. Runs on the decisions thread; does nothing unless this node is PRIMARY.
     */
    private void demote(final String reason) {
        synchronized (drillLock) {
            final PrimaryRole role = primary;
            if (machine.state() != RoleMachine.State.PRIMARY || role == null) {
                return;
            }
            final long epoch = machine.epoch();
            machine.transition(RoleMachine.State.HANDING_OVER, "demoted: " + reason);
            role.revoke();
            final List<String> clients = new ArrayList<>();
            String error = null;
            int givenUp = 0;
            try {
                role.relay().freeze();
                final List<RelayedConnection> connections = role.relay().connections();
                givenUp = connections.size();
                connections.stream().limit(100).forEach(connection -> clients.add(connection.client()));
                releaseAddress();
            } catch (final IOException | RuntimeException ex) {
                error = ex.getMessage();
                LOG.error("[{}] while demoting: {}", settings.getId(), ex.toString());
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                error = "interrupted";
            }
            final String after = becomeBackup(role, "demoted: " + reason, null);
            lastDemotion = new DemotionReport(
                    Instant.now().toString(),
                    reason,
                    epoch,
                    machine.peerEpoch(),
                    givenUp,
                    clients,
                    error != null ? error : after);
            LOG.warn("[{}] demoted: {}", settings.getId(), lastDemotion);
        }
    }

    private void releaseAddress() throws IOException {
        if (settings.getTakeover().getReleaseCommand().isEmpty()) {
            throw new IOException(
                    "node.takeover.releaseCommand is not set: this node cannot give the service " + "address up");
        }
        Commands.run(settings.getTakeover().getReleaseCommand(), "releasing the service address");
    }

    // ---------------------------------------------------------------- the backup: deciding and taking over

    @Override
    public void onPeerLost(final String peerId, final String why) {
        final PrimaryRole serving = primary;
        // A view that drops a peer whose fast beats still arrive is a false suspicion: the logger is up.
        if (machine.state() == RoleMachine.State.PRIMARY
                && serving != null
                && wiring.shipsToPeersLogger()
                && !fastHeartbeatHears()
                && serving.readLog().peerLost()) {
            LOG.warn(
                    "[{}] {} lost ({}), and the read log's logger with it: a reply whose read the logger has not "
                            + "acked in 100 ms goes out without waiting, until the peer is heard again or the logger has caught up",
                    settings.getId(),
                    peerId,
                    why);
        }
        if (machine.state() == RoleMachine.State.BACKUP && !evaluating) {
            evaluating = true;
            LOG.warn(
                    "[{}] heartbeat from {} lost ({}): checking whether the primary still serves",
                    settings.getId(),
                    peerId,
                    why);
            final long nowNs = System.nanoTime();
            final int failedEarly = earlyProbes.streakAt(nowNs);
            // Failed back to back up to now against a dead host: a probe more would only repeat them, 30 ms later.
            final boolean confirmedEarly = earlyProbes.confirms(nowNs, CONFIRMATIONS, earlyConfirmationFreshNs());
            if (failedEarly > 0) {
                LOG.warn(
                        "[{}] the direct probe had already failed {} time(s) in a row while the heartbeat was late{}",
                        settings.getId(),
                        failedEarly,
                        confirmedEarly ? ", the last just now: the decision takes them as its probe's" : "");
            }
            final TakeoverDecider decider =
                    new TakeoverDecider(deciderSettings(), peerId + " " + why, nowNs, 0, failedEarly);
            final PeerReleaseCheck asked = releaseCheck;
            // Asked again at the loss when the early question found a live PRIMARY: that answer predates the loss.
            if (failedEarly == 0
                    || asked == null
                    || !asked.askedWithin(nowNs, RELEASE_CHECK_FRESH_NS)
                    || asked.answeredAsLivePrimary()) {
                releaseCheck = startReleaseCheck();
            }
            decisions.submit(() -> evaluate(decider, confirmedEarly));
        }
    }

    @Override
    public void onPeerJoined(final String peerId) {
        peerFenced = false;
        final PrimaryRole serving = primary;
        if (serving != null) {
            serving.readLog().peerHeard();
        }
    }

    /**
     * How recent the early probes' last failure must be, when the loss is declared, for their streak to stand as the
     * decision's first probe: one probe's timeout and a tick, what a probe started then would take.
     */
    private long earlyConfirmationFreshNs() {
        return (settings.getTakeover().getProbeTimeoutMs() + EARLY_PROBE_TICK_MS) * 1_000_000L;
    }

    private void evaluate(final TakeoverDecider started) {
        evaluate(started, false);
    }

    /**
     * Takes over only when the heartbeat is gone, the service does not answer and the tap heard nothing from it.
     *
     * @param confirmedEarly the early probes confirmed the loss just now: the first step takes their streak as its
     *                       probe's.
     */
    private void evaluate(final TakeoverDecider started, final boolean confirmedEarly) {
        TakeoverDecider decider = started;
        boolean probeThisStep = !confirmedEarly;
        try {
            while (machine.state() == RoleMachine.State.BACKUP) {
                final BackupRole standing = backup;
                if (standing == null) {
                    LOG.error(
                            "[{}] the primary looks gone, but this node has no tap running: not taking over",
                            settings.getId());
                    return;
                }
                final boolean present = peerAlive();
                final Optional<String> cutOff = ownLinkDown();
                if (!present && cutOff.isPresent()) {
                    if (!cutOff.get().equals(lastCutOff)) {
                        LOG.warn("[{}] not taking over: {}", settings.getId(), cutOff.get());
                    }
                    lastCutOff = cutOff.get();
                    Thread.sleep(100);
                    continue;
                }
                if (!lastCutOff.isEmpty()) {
                    // Nothing seen while cut off counts, the probes before the cut included: decide afresh.
                    final long backNs = System.nanoTime();
                    ownLinkBackNs = backNs;
                    earlyProbes.reset();
                    probeThisStep = true;
                    decider = afresh(decider, "then this node's own link was down and came back", backNs);
                    LOG.warn(
                            "[{}] this node's own link is back: what it saw while cut off is no evidence; "
                                    + "deciding afresh",
                            settings.getId());
                }
                lastCutOff = "";
                final boolean probed = !present && probeThisStep;
                probeThisStep = true;
                final boolean answers = probed
                        && probe.exchanges(app, settings.getApp().getCheck().getTimeoutMs());
                // The probe may take its whole timeout: a beat heard meanwhile, or since the loss, says it lives.
                final boolean alive = present || peerAlive() || heardSince(decider.startNs());
                final long evidenceSinceNs = ownLinkBackNs;
                final TakeoverDecider.Decision decision = decider.next(new TakeoverDecider.Observation(
                        System.nanoTime(),
                        alive,
                        answers,
                        later(standing.tapper().lastServerProgressNs(), evidenceSinceNs),
                        app.unfitReason(),
                        Optional.ofNullable(handoverTrigger),
                        false,
                        later(standing.tapper().clientsWaitingSinceNs(), evidenceSinceNs),
                        probed));
                if (decision instanceof TakeoverDecider.Decision.TakeOver takeOver) {
                    String trigger = takeOver.trigger();
                    if (handoverTrigger == null
                            && !crashDrillAnnounced()
                            && !awaitLivePrimarysOwnCheck(decider.startNs())) {
                        LOG.info(
                                "[{}] heartbeat back while the primary's own check ran: staying {}",
                                settings.getId(),
                                machine.state());
                        return;
                    }
                    final String handedOver = handoverTrigger;
                    if (handedOver != null && !handedOver.equals(trigger)) {
                        trigger = handedOver;
                    }
                    takeOver(trigger, handoverTrigger == null && !crashDrillAnnounced(), Long.MAX_VALUE);
                    return;
                }
                if (decision instanceof TakeoverDecider.Decision.Refuse refuse) {
                    LOG.error(
                            "[{}] the primary looks gone, but this node does not take over: {}",
                            settings.getId(),
                            refuse.reason());
                    return;
                }
                if (decision instanceof TakeoverDecider.Decision.StandDown) {
                    if (!peerAlive()) {
                        // The beat that stood this decision down was the peer's last (a crash right after a false
                        // JGroups suspicion: its final beat read late on a loaded host). The fast heartbeat reported
                        // the silence after it while this decision ran, and reports it once: nothing else would start
                        // a decision, and a CI run's backup stayed BACKUP with the primary dead. Decide afresh.
                        LOG.warn(
                                "[{}] heard the primary once more, and it is silent again: deciding afresh",
                                settings.getId());
                        decider = afresh(decider, "heard once more, then silent again", System.nanoTime());
                        continue;
                    }
                    LOG.info("[{}] heartbeat back: staying {}", settings.getId(), machine.state());
                    return;
                }
                if (decision instanceof TakeoverDecider.Decision.StillServing still) {
                    LOG.error("[{}] {}", settings.getId(), still.alarm());
                    TimeUnit.NANOSECONDS.sleep(Math.max(1_000_000L, still.nextCheckInNs()));
                    continue;
                }
                final TakeoverDecider.Decision.Wait wait = (TakeoverDecider.Decision.Wait) decision;
                if (decider.waitReasonChanged()) {
                    final long nowNs = System.nanoTime();
                    final long quietMs = (nowNs - standing.tapper().lastServerProgressNs()) / 1_000_000;
                    LOG.warn(
                            "[{}] not taking over: {} (the probe: {}; the tap: quiet {}, clients waiting {} ms, "
                                    + "capture behind {} ms)",
                            settings.getId(),
                            wait.reason(),
                            probe.lastOutcome(),
                            quietMs > 86_400_000L ? "since it started" : quietMs + " ms",
                            Math.max(0, nowNs - standing.tapper().clientsWaitingSinceNs()) / 1_000_000,
                            standing.tapper().captureBehindMs());
                }
                TimeUnit.NANOSECONDS.sleep(Math.max(1_000_000L, wait.nextCheckInNs()));
            }
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        } catch (final IOException | IllegalStateException ex) {
            LOG.error("[{}] takeover failed; this node stays the backup: {}", settings.getId(), ex.getMessage());
            retryEvaluation(decider);
        } catch (final RuntimeException ex) {
            // Not one of the takeover's own refusals: a defect, whose stack is what finds it (a bare "null" did not).
            LOG.error("[{}] takeover failed; this node stays the backup: {}", settings.getId(), ex.toString(), ex);
            retryEvaluation(decider);
        } finally {
            evaluating = false;
        }
    }

    /**
     * A takeover failed (the fence failed, another host answered for the address, the tap could not restore): while
     * the primary stays gone, decide again a second later, up to {@link #TAKEOVER_ATTEMPTS} times in all (a
     * supervisor may release the address meanwhile; a fencing device may come back). The failure stays in /status.
     */
    private void retryEvaluation(final TakeoverDecider failed) {
        final int attempt = failed.attempt() + 1;
        if (attempt >= TAKEOVER_ATTEMPTS || machine.state() != RoleMachine.State.BACKUP || backup == null) {
            LOG.error(
                    "[{}] not trying to take over again ({} attempts): this node needs an operator",
                    settings.getId(),
                    attempt);
            return;
        }
        CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS).execute(() -> {
            if (machine.state() == RoleMachine.State.BACKUP && !peerAlive() && !evaluating) {
                evaluating = true;
                LOG.warn(
                        "[{}] trying to take over again (attempt {} of {})",
                        settings.getId(),
                        attempt + 1,
                        TAKEOVER_ATTEMPTS);
                try {
                    releaseCheck = startReleaseCheck();
                    decisions.submit(() -> evaluate(new TakeoverDecider(
                            deciderSettings(), failed.heartbeatLoss(), System.nanoTime(), attempt)));
                } catch (final java.util.concurrent.RejectedExecutionException stopped) {
                    // stop() shut the executors down during the second's wait
                    evaluating = false;
                    LOG.info("[{}] not trying to take over again: the node is stopping", settings.getId());
                }
            }
        });
    }

    /**
     * The decision says take over, but the primary's API answered as a live PRIMARY (a heartbeat lost on a busy host,
     * with the service silent: most likely its app hung). That node checks its own app and hands over by itself when
     * the app fails, without being fenced: give its check the time it needs to find the failure first. True
     * to go on (a handover arrived, or none did: then fence it); false when the heartbeat came back meanwhile.
     */
    private boolean awaitLivePrimarysOwnCheck(final long heartbeatLostNs) throws InterruptedException {
        final AppCheckSettings check = settings.getApp().getCheck();
        if (check.getType() == AppCheckSettings.Type.NONE) {
            return true;
        }
        PeerReleaseCheck asked = releaseCheck;
        if (asked == null
                || !asked.askedWithin(System.nanoTime(), RELEASE_CHECK_FRESH_NS)
                || asked.answeredAsLivePrimary() && !asked.liveAnswerCountsAfterLossAt(heartbeatLostNs)) {
            // Asked at the heartbeat's loss, long before this decision (the service answered until now): a busy
            // host that did not answer then may answer now. A crash is decided soon after the loss: no new question,
            // unless the answer "live PRIMARY" came before the loss (an early probe's question): ask again, a
            // crashed host's API refuses the connection within 50 ms.
            asked = startReleaseCheck();
            releaseCheck = asked;
            asked.awaitEarly();
        }
        if (!asked.answeredAsLivePrimary()) {
            return true;
        }
        // Its check fails a round at most interval + timeout after the previous one (a fixed delay between rounds).
        final long windowMs =
                (long) (check.getIntervalMs() + check.getTimeoutMs()) * check.getFailures() + check.getIntervalMs();
        LOG.warn(
                "[{}] the primary's API answered as a live PRIMARY: giving its own app check {} ms to hand over "
                        + "before fencing it",
                settings.getId(),
                windowMs);
        final long deadlineNs = System.nanoTime() + windowMs * 1_000_000L;
        while (System.nanoTime() - deadlineNs < 0) {
            if (handoverTrigger != null || crashDrillAnnounced()) {
                return true;
            }
            if (peerAlive()) {
                return false;
            }
            Thread.sleep(LIVE_PRIMARY_POLL_MS);
        }
        return true;
    }

    /**
     * How long ago either heartbeat last heard the peer (the fast one beats every few ms, JGroups' every 75): the
     * failover report's detection starts there.
     */
    private long millisSincePeerHeard() {
        final long jgroups = membership.millisSincePeerHeard();
        final FastHeartbeat fast = fastHeartbeat;
        final long fastMs = fast == null ? -1 : fast.millisSincePeerHeard();
        return fastMs < 0 ? jgroups : jgroups < 0 ? fastMs : Math.min(jgroups, fastMs);
    }

    /**
     * The peer counts as present while the JGroups view holds it and the fast heartbeat (when on, once heard) has
     * not fallen silent: either one's loss starts the decision, which still needs the failed probes and a quiet tap.
     */
    private boolean peerPresent() {
        final Membership heartbeat = membership;
        final FastHeartbeat fast = fastHeartbeat;
        return heartbeat != null && heartbeat.isPeerPresent() && (fast == null || !fast.isPeerSilent());
    }

    /** The peer's node is alive: in the heartbeat's view and not silent, or its fast heartbeat's beats arrive. */
    private boolean peerAlive() {
        return peerPresent() || fastHeartbeatHears();
    }

    /** The later of two System.nanoTime() values (compared by difference, as the clock may wrap). */
    private static long later(final long aNs, final long bNs) {
        return aNs - bNs > 0 ? aNs : bNs;
    }

    /** Whether the fast heartbeat heard an authenticated beat from the peer after {@code sinceNs}. */
    private boolean heardSince(final long sinceNs) {
        final FastHeartbeat fast = fastHeartbeat;
        return fast != null && fast.heardSince(sinceNs);
    }

    /**
     * Whether the fast heartbeat hears the peer now: its authenticated beats arrive, so the peer's node is alive,
     * whatever the JGroups view says. A decision stands down on it: in CI runs a view that had not merged back yet
     * after the backup's own link came back (or a view lost on a loaded host while the beats went on), with an
     * idle service's quiet tap and a probe exchange slowed by the loaded primary, made a backup fence a live primary.
     */
    private boolean fastHeartbeatHears() {
        final FastHeartbeat fast = fastHeartbeat;
        return fast != null && fast.millisSincePeerHeard() >= 0 && !fast.isPeerSilent();
    }

    private void startFastHeartbeat() {
        final Optional<NodeWiring.FastHeartbeatWiring> wired = wiring.fastHeartbeatWiring();
        if (wired.isEmpty()) {
            LOG.info(
                    "[{}] fast heartbeat off ({}): the JGroups view alone starts a decision",
                    settings.getId(),
                    settings.getMembership().isFastHeartbeat()
                            ? "no pair secret, or no peer in node.membership.peers"
                            : "node.membership.fastHeartbeat: false");
            return;
        }
        final NodeWiring.FastHeartbeatWiring w = wired.get();
        try {
            fastHeartbeat = FastHeartbeat.start(
                    settings.getId(),
                    w.self(),
                    w.peer(),
                    w.key(),
                    w.intervalMs(),
                    w.silentMs(),
                    new FastHeartbeat.Listener() {
                        @Override
                        public void onSilent(final long silentMs) {
                            final PeerState last = peerState;
                            onPeerLost(
                                    last != null ? last.peerId() : "the peer",
                                    "fast heartbeat silent for " + silentMs + " ms");
                        }

                        @Override
                        public void onHeardAgain() {
                            final PrimaryRole serving = primary;
                            if (serving != null) {
                                serving.readLog().peerHeard();
                            }
                            LOG.info("[{}] fast heartbeat: the peer is heard again", settings.getId());
                        }
                    });
        } catch (final IOException ex) {
            LOG.error(
                    "[{}] fast heartbeat could not start on {}: {}; the JGroups view alone starts a decision",
                    settings.getId(),
                    w.self(),
                    ex.getMessage());
        }
    }

    /** The fast heartbeat's state for /status; null when it is off. */
    public FastHeartbeatStatus fastHeartbeatStatus() {
        final FastHeartbeat fast = fastHeartbeat;
        return fast == null
                ? null
                : new FastHeartbeatStatus(
                        fast.millisSincePeerHeard(),
                        fast.isPeerSilent(),
                        fast.sent(),
                        fast.accepted(),
                        fast.rejected(),
                        fast.realtime(),
                        fast.lastRejection());
    }

    /** Why this node is cut off itself (its tap's or service interface has no carrier), if it is. */
    private Optional<String> ownLinkDown() {
        for (final String link :
                new String[] {settings.getServiceInterface(), settings.getTap().getInterfaceName()}) {
            if (!"lo".equals(link) && !LinkState.hasCarrier(link)) {
                return Optional.of("this node's own link " + link + " has no carrier: it is cut off, and the "
                        + "primary's silence says nothing about the primary");
            }
        }
        return Optional.empty();
    }

    /**
     * On the early-probe thread every {@link #EARLY_PROBE_TICK_MS}: while this node is the backup and the peer's
     * heartbeat is late but not lost ({@link EarlyProbes#classify}), connects to the service address (back to back
     * against a dead host, one probe's timeout apart) and keeps the streak for the decision that a lost heartbeat
     * starts.
     */
    private void probeEarly() {
        try {
            final Membership heartbeat = membership;
            if (heartbeat == null || machine.state() != RoleMachine.State.BACKUP || evaluating || backup == null) {
                earlyProbes.reset();
                return;
            }
            final FastHeartbeat fast = fastHeartbeat;
            final EarlyProbes.Heartbeat beat = EarlyProbes.classify(
                    heartbeat.isPeerPresent(),
                    fast == null ? -1 : fast.millisSincePeerHeard(),
                    settings.getMembership().getFastSilentMs(),
                    earlyProbeAfterMs,
                    heartbeat.millisSincePeerHeard(),
                    settings.getMembership().getFailureTimeoutMs());
            if (beat == EarlyProbes.Heartbeat.LOST) {
                return; // the decision's own probes take over; the streak stays for it to read
            }
            if (beat == EarlyProbes.Heartbeat.ON_TIME) {
                earlyProbes.reset();
                return;
            }
            final long startNs = System.nanoTime();
            if (earlyProbes.due(startNs)) {
                // A connect only: the early streak counts a host that does not answer at all (a crash). A connection
                // accepted, by a slow primary or a dying one's listener, ends it; the exchange is the decision's, whose
                // probe may wait out the app check's timeout (400 ms: a probe exchanging with a dying node's listener
                // held this thread that long, and the streak missed the failures after it, 140 ms more per drill).
                final boolean answers = probe.answers();
                final long endNs = System.nanoTime();
                earlyProbes.record(answers, startNs, endNs);
                final PeerReleaseCheck asked = releaseCheck;
                if (!answers && (asked == null || !asked.askedWithin(endNs, RELEASE_CHECK_FRESH_NS))) {
                    // Only once a probe failed: asked while the primary still serves, the API says "live PRIMARY",
                    // and a decision soon after would wait for that primary's own app check (2 s). Its answer (or
                    // its failure to accept a connection within 50 ms) is then ready when the loss is declared.
                    releaseCheck = startReleaseCheck();
                }
            }
        } catch (final RuntimeException ex) {
            LOG.warn("[{}] early probe failed to run: {}", settings.getId(), ex.toString());
        }
    }

    /** A new decision in place of {@code before}, its evidence dropped, its trigger saying why ({@code what}). */
    private TakeoverDecider afresh(final TakeoverDecider before, final String what, final long nowNs) {
        return new TakeoverDecider(deciderSettings(), before.heartbeatLoss() + ", " + what, nowNs, before.attempt(), 0);
    }

    /**
     * The decider's settings: the probe must fail twice in a row (50 ms apart). A single failed probe of a live but
     * loaded primary, with an idle service's quiet tap and a heartbeat not merged back yet, took a primary over and
     * fenced it in the lab; a takeover now fences, so a false one costs the primary's host. The tap's evidence is a
     * quiet of quietMs, or clients waiting clientsWaitingMs on a primary that makes no progress.
     */
    private TakeoverDecider.Settings deciderSettings() {
        return TakeoverDecider.Settings.of(settings.getTakeover().getQuietMs())
                .withConfirmations(CONFIRMATIONS)
                .withClientsWaitingMs(settings.getTakeover().getClientsWaitingMs());
    }

    private boolean crashDrillAnnounced() {
        return System.nanoTime() - crashDrillUntilNs < 0;
    }

    /**
     * Takes the service over: fence the old primary (after a lost heartbeat), make sure no other MAC answers for the
     * address, then the tap's takeover (catch up, repair, claim, restore). A failure before the claim leaves this
     * node the backup; a failure after it also releases the address. {@code deadlineNs}: the claim is not made after
     * it (the primary that asked has stopped waiting).
     */
    private void takeOver(final String trigger, final boolean fenceFirst, final long deadlineNs)
            throws IOException, InterruptedException {
        final BackupRole standing = backup;
        if (standing == null) {
            throw new IllegalStateException("this node has no tap running: it cannot take over");
        }
        final long startNs = System.nanoTime();
        final long heardMsAgo = Math.max(0, millisSincePeerHeard());
        final long divergences = standing.tapper().stats().divergences();
        machine.transition(RoleMachine.State.TAKING_OVER, trigger);
        LOG.warn("[{}] taking over: {}", settings.getId(), trigger);
        // A sync under way (redis: this app a read-only replica of the primary's) must end, and undo itself, before
        // this app serves.
        standing.stopSync();
        final boolean[] claimed = new boolean[1];
        final PrimaryRole[] started = new PrimaryRole[1];
        @SuppressWarnings("unchecked")
        final java.util.concurrent.FutureTask<PrimaryRole>[] relayStart = new java.util.concurrent.FutureTask[1];
        final FenceOutcome[] fenced = new FenceOutcome[1];
        final String[] claim = new String[1];
        try {
            // The relay starts on a thread of its own at once, while the fence runs (its start took 60-155 ms on
            // this loaded host: the read log's buffer, the ARP watch, and it was on the path to the claim when it
            // began after the fence): it listens on the address before the address is here (IP_FREEBIND) and hears
            // nothing until the claim; a takeover that stops before the claim gives it up.
            relayStart[0] = inBackground("relay-start", () -> startPrimary(true));
            // Fence first, then let the read log's follower catch up, then stop the tap: a primary that only looked
            // dead (a loaded host) serves until it is fenced, and what it did until then must be in the tap and the
            // log the takeover restores from.
            // The ARP probe of the address (50 ms) starts with the fence, and runs on while the log's tail, the tap's
            // stop and the sockets' build go on; its answer is awaited before anything is claimed, and it counts only
            // as addressProbeAfterFence says.
            final java.util.concurrent.FutureTask<AddressProbe> probeWithFence = startAddressProbe(standing);
            fenced[0] = fenceForClaim(trigger, fenceFirst);
            // The old primary was cut off (or judged dead, with no fence): the logger beside it, the one the new
            // relay ships to (node.log.logger blank), is gone with it. A logger on a host of its own lives on.
            final boolean loggerHostGone = fenced[0].primaryCutOff() && wiring.shipsToPeersLogger();
            final java.util.concurrent.FutureTask<Optional<String>> addressProbe =
                    addressProbeAfterFence(standing, probeWithFence, System.nanoTime());
            final BackupTapper tapper = standing.tapper();
            awaitLogTail(standing);
            final TakeoverReport report = tapper.takeOver(
                    settings.getTakeover().getCatchUpTimeoutMs(),
                    settings.getTakeover().isNudgeClients(),
                    () -> {
                        if (System.nanoTime() - deadlineNs > 0) {
                            throw new IllegalStateException(
                                    "the takeover was not ready to claim the address before the "
                                            + "primary stopped waiting for it: cancelled");
                        }
                        final Optional<String> unfit = app.unfitReason();
                        if (unfit.isPresent()) {
                            throw new IllegalStateException("not taking over with a dead replica: " + unfit.get());
                        }
                        requireAddressFree(addressProbe);
                        // The relay listens first: a client that connects once the address moved is never refused.
                        final long relayWaitNs = System.nanoTime();
                        started[0] = await(relayStart[0], "starting the relay");
                        if (loggerHostGone && started[0].readLog().loggerHostGone()) {
                            LOG.info(
                                    "[{}] the read log's logger was the old primary's host's: output does not wait for it "
                                            + "until a logger there acks again",
                                    settings.getId());
                        }
                        LOG.info(
                                "[{}] the relay listens on the service address (waited {} ms for its start)",
                                settings.getId(),
                                (System.nanoTime() - relayWaitNs) / 1_000_000);
                        claimed[0] = true;
                        claim[0] = tapper.claimServiceAddress(
                                settings.getTakeover().getClaimCommand());
                    });
            final PrimaryRole role = started[0];
            for (final RestoredConnection restored : report.restored()) {
                role.relay()
                        .adopt(
                                restored.client(),
                                restored.app(),
                                restored.pendingToClient(),
                                restored.clientFinished(),
                                restored.clientOffset(),
                                restored.serverOffset());
            }
            primary = role;
            backup = null;
            final long epoch = machine.transition(RoleMachine.State.PRIMARY, trigger);
            // Timed before the tap and the logger close: their close (60-330 ms in a drill's log, the logger waiting
            // for the dead writer's connection) is after the relay serves, and was counted in takeoverMs before.
            final long servingNs = System.nanoTime();
            addressAlarm = null;
            takeoverFailure = null;
            lastFailover = new FailoverReport(
                    Instant.now().toString(),
                    trigger,
                    heardMsAgo,
                    (servingNs - startNs) / 1_000_000,
                    report.restoreMs(),
                    report.restored().size(),
                    report.notRestored(),
                    divergences,
                    settings.getTakeover().getMode().name().toLowerCase(Locale.ROOT),
                    fenced[0].report(),
                    claim[0],
                    epoch,
                    null);
            lastHandback = handback(report);
            LOG.warn("[{}] now PRIMARY: {}", settings.getId(), lastFailover);
            // On a thread of its own: a planned handover's answer waits for this method, and the old primary's tap,
            // which follows the moved connections, starts only after that answer (the close took 475 ms in a drill).
            final Thread closer = new Thread(
                    () -> {
                        // The ICMP nudges first (110-210 ms for 2,000 connections): off the decision's thread, so
                        // neither the relay's adoption of the connections nor the transition waits for them.
                        tapper.nudgeClients();
                        final long closeNs = System.nanoTime();
                        closeQuietly(standing);
                        LOG.info(
                                "[{}] the backup's tap and logger closed in {} ms (after serving)",
                                settings.getId(),
                                (System.nanoTime() - closeNs) / 1_000_000);
                    },
                    "close-backup-" + settings.getId());
            closer.setDaemon(true);
            closer.start();
            backupCloser = closer;
        } catch (final IOException | RuntimeException | InterruptedException ex) {
            takeoverFailure = Instant.now() + ": " + ex.getMessage();
            LOG.error(
                    "[{}] takeover failed{}: {}",
                    settings.getId(),
                    claimed[0] ? " after the claim: releasing " + "the address" : " before the claim",
                    ex.toString());
            if (started[0] == null && relayStart[0] != null) {
                started[0] = awaitQuietly(relayStart[0]); // started meanwhile: given up with the rest
            }
            undoTakeover(standing, started[0], claimed[0], ex.getMessage());
            throw ex;
        }
    }

    /**
     * Lets this node's logger read what the primary's connection still holds (a logger on a busy host falls behind:
     * 100-200 KB, a second or two of reads, sat unread in its socket under the lab's load), then the tap's follower
     * of the read log catch up with the logger, before the takeover stops it: a read the primary logged but the
     * follower had not taken in would otherwise count as lost (a client's request the primary's kernel acked, missing
     * from a lossy tap too). Both within the catch-up timeout; no wait when another host runs the logger.
     */
    private void awaitLogTail(final BackupRole standing) throws InterruptedException {
        final LogServer server = standing.logServer();
        if (server == null || server.stats().appended() == 0) {
            return; // another host runs the logger, or the primary logged nothing here
        }
        final long startNs = System.nanoTime();
        final long budgetMs = settings.getTakeover().getCatchUpTimeoutMs();
        final long deadlineNs = startNs + budgetMs * 1_000_000L;
        final boolean drained = server.awaitWriterDrained(budgetMs);
        final long drainMs = (System.nanoTime() - startNs) / 1_000_000;
        final long target = server.stats().lastIndex();
        long followed = standing.tapper().stats().readLogLastIndex();
        while (followed < target && System.nanoTime() - deadlineNs < 0) {
            Thread.sleep(5);
            followed = standing.tapper().stats().readLogLastIndex();
        }
        LOG.info(
                "[{}] read log: the logger {} in {} ms; followed to {} of its {} in {} ms{}",
                settings.getId(),
                drained ? "read all the primary's connection held" : "had NOT read all the primary's connection held",
                drainMs,
                followed,
                target,
                (System.nanoTime() - startNs) / 1_000_000,
                followed < target ? ": NOT caught up" : "");
    }

    /**
     * What {@link #fenceForClaim} did: its report for the failover report, and whether the old primary is cut off
     * (fenced, or judged dead with fence: none) rather than living on after giving the address up itself.
     */
    private record FenceOutcome(String report, boolean primaryCutOff) {}

    /**
     * The first thing that must hold before the claim: the old primary fenced (after a lost heartbeat) unless it gave
     * the address up itself. Returns what was done to the old primary, for the report.
     *
     * @throws IOException saying why the address must not be claimed (the fence failed).
     */
    private FenceOutcome fenceForClaim(final String trigger, final boolean fenceFirst)
            throws IOException, InterruptedException {
        final Optional<String> released = fenceFirst ? primaryReleasedItself() : Optional.empty();
        if (!fenceFirst || released.isPresent()) {
            return new FenceOutcome(
                    "not fenced: " + (!fenceFirst ? "the primary gave the address up" : released.get()), false);
        }
        final String fenced = fence.fencePeer(trigger);
        if (settings.getTakeover().getFence() != TakeoverSettings.Fence.NONE) {
            peerFenced = true;
        }
        return new FenceOutcome(fenced, true);
    }

    /**
     * This node fenced the peer (its takeover's first step) and has not had it back in the heartbeat's view since:
     * there is no backup to hand anything to.
     */
    private volatile boolean peerFenced;

    /**
     * Whether an ARP probe started with the fence answers for the claim: it found the address free ({@code holder}
     * empty) and ended ({@code probeEndNs}) at most {@code staleNs} before the fence returned ({@code fencedNs}).
     */
    static boolean probeDuringFenceCounts(
            final Optional<String> holder, final long probeEndNs, final long fencedNs, final long staleNs) {
        return holder.isEmpty() && fencedNs - probeEndNs <= staleNs;
    }

    /** One ARP probe's answer (the MAC of another holder, if any) and when it came (System.nanoTime()). */
    private record AddressProbe(Optional<String> holder, long endNs) {}

    /** Starts the ARP probe of the service address on a thread of its own. */
    private java.util.concurrent.FutureTask<AddressProbe> startAddressProbe(final BackupRole standing) {
        return inBackground("address-probe", () -> probeAddressNow(standing));
    }

    private AddressProbe probeAddressNow(final BackupRole standing) throws IOException, InterruptedException {
        final Optional<String> holder = standing.tapper()
                .probeServiceAddress(Duration.ofMillis(settings.getTakeover().getDuplicateAddressWaitMs()))
                .conflictingMac();
        return new AddressProbe(holder, System.nanoTime());
    }

    /**
     * The ARP probe whose answer the claim needs, given the one started with the fence. That one counts when it found
     * the address free and ended no earlier than one probe's wait before the fence did: nobody answered for the
     * address until about when the old primary was cut off, and the claim is as close behind its probe as when the
     * probe followed the fence (which put the probe's 50 ms on every takeover's path: the lab's fence takes 15-90 ms).
     * Otherwise the address is probed again now: the probe during the fence heard a holder (a primary that only
     * looked dead answers ARP until it is fenced), failed, or is too old (a fence that took seconds).
     */
    private java.util.concurrent.FutureTask<Optional<String>> addressProbeAfterFence(
            final BackupRole standing,
            final java.util.concurrent.FutureTask<AddressProbe> withFence,
            final long fencedNs) {
        final long staleNs = settings.getTakeover().getDuplicateAddressWaitMs() * 1_000_000L;
        return inBackground("address-probe-after-fence", () -> {
            final AddressProbe early = awaitQuietly(withFence);
            if (early != null && probeDuringFenceCounts(early.holder(), early.endNs(), fencedNs, staleNs)) {
                return early.holder();
            }
            LOG.info(
                    "[{}] the ARP probe during the fence {}: probing the address again",
                    settings.getId(),
                    early == null
                            ? "failed"
                            : early.holder().isPresent()
                                    ? "heard " + early.holder().get()
                                    : "ended " + (fencedNs - early.endNs()) / 1_000_000 + " ms before the fence");
            return probeAddressNow(standing).holder();
        });
    }

    /** A takeover step run on a thread of its own while the takeover goes on; awaited before the claim. */
    private <T> java.util.concurrent.FutureTask<T> inBackground(
            final String name, final java.util.concurrent.Callable<T> step) {
        final java.util.concurrent.FutureTask<T> task = new java.util.concurrent.FutureTask<>(step);
        final Thread thread = new Thread(task, settings.getId() + "-" + name);
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    /** The step's result, or its failure as an IOException (or the RuntimeException it threw). */
    private static <T> T await(final java.util.concurrent.FutureTask<T> task, final String what)
            throws IOException, InterruptedException {
        try {
            return task.get();
        } catch (final java.util.concurrent.ExecutionException ex) {
            final Throwable cause = ex.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(what + " failed: " + cause, cause);
        }
    }

    /**
     * The step's result, or null when it failed; waits for it even when interrupted (what it started must be given
     * up, not left running), and keeps the interrupt for the caller.
     */
    private static <T> T awaitQuietly(final java.util.concurrent.FutureTask<T> task) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (final java.util.concurrent.ExecutionException ex) {
                    return null;
                } catch (final InterruptedException ex) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The second: no other MAC answers ARP for the address.
     *
     * @throws IOException saying why the address must not be claimed (another holder, or the probe failed).
     */
    private void requireAddressFree(final java.util.concurrent.FutureTask<Optional<String>> probe)
            throws IOException, InterruptedException {
        final Optional<String> other;
        try {
            other = await(probe, "the ARP probe");
        } catch (final IOException | RuntimeException ex) {
            throw new IOException(
                    "the ARP probe of " + settings.getServiceAddress() + " failed: not claiming it: " + ex.getMessage(),
                    ex);
        }
        if (other.isPresent()) {
            addressAlarm = Instant.now() + ": " + other.get() + " answers ARP for " + settings.getServiceAddress()
                    + ": not claimed";
            throw new IOException("another host (" + other.get() + ") answers ARP for " + settings.getServiceAddress()
                    + ": not claiming it (two holders would break every client)");
        }
    }

    /**
     * Whether the primary gave the address up itself, so that fencing it is not needed: a handover request or a crash
     * drill arrived meanwhile, or its API says it is handing over or the backup and does not hold the address
     * ({@link PeerReleaseCheck}, asked from the heartbeat's loss on). A node whose heartbeat was lost on a loaded host
     * may be in the middle of a drill; it must not be killed for it. An unreachable primary is fenced.
     */
    private Optional<String> primaryReleasedItself() throws InterruptedException {
        if (handoverTrigger != null || crashDrillAnnounced()) {
            return Optional.of("the primary asked for the handover");
        }
        final PeerReleaseCheck check = releaseCheck != null ? releaseCheck : startReleaseCheck();
        final long startNs = System.nanoTime();
        final Optional<String> released = check.released();
        LOG.info(
                "[{}] asked the primary's API whether it handed over: {} ({} ms at the decision)",
                settings.getId(),
                released.orElse("no (" + check.earlyOutcome() + ")"),
                (System.nanoTime() - startNs) / 1_000_000);
        return released;
    }

    private PeerReleaseCheck startReleaseCheck() {
        final PeerApi api = peerApi();
        return PeerReleaseCheck.start(
                timeout -> api.status(timeout, PEER_CONNECT_TIMEOUT), PEER_STATUS_TIMEOUT, peerChecks);
    }

    /** A takeover failed: give up what it started, release the address if it was claimed, and tap again. */
    private void undoTakeover(
            final BackupRole standing, final PrimaryRole started, final boolean claimed, final String why) {
        if (started != null) {
            primary = null;
            try {
                started.revoke();
                started.relay().freeze();
                started.relay().abandon(TcpRepair::closeSilently);
                started.closeAfterHandover();
            } catch (final IOException | RuntimeException ex) {
                LOG.error("[{}] could not give up the half-started relay: {}", settings.getId(), ex.toString());
            }
        }
        if (claimed) {
            try {
                releaseAddress();
            } catch (final IOException ex) {
                addressAlarm =
                        Instant.now() + ": a failed takeover could not release the service address: " + ex.getMessage();
                LOG.error("[{}] ALARM: {}", settings.getId(), addressAlarm);
            }
        }
        closeQuietly(standing);
        try {
            backup = BackupRole.start(wiring, eventLog);
        } catch (final IOException | RuntimeException ex) {
            backup = null;
            LOG.error(
                    "[{}] after the failed takeover the tap could not start again: this node protects nothing",
                    settings.getId(),
                    ex);
        }
        machine.transition(RoleMachine.State.BACKUP, "takeover failed: " + why);
    }

    private void closeQuietly(final AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (final Exception ex) {
            LOG.warn(
                    "[{}] closing {}: {}",
                    settings.getId(),
                    closeable.getClass().getSimpleName(),
                    ex.toString());
        }
    }

    /** The token this node sends to its peer's API (a drill tells the backup to take over with it). */
    public void setApiToken(final String token) {
        this.apiToken = token == null ? "" : token;
    }

    /** How this node reaches its peer's API (https with pinned certificates when its own API speaks https). */
    public void setPeerClient(final ApiTls.PeerClient client) {
        this.peerClient = client;
    }

    /**
     * A planned handover's second half, on the backup: take the service over now, without waiting for the heartbeat
     * to fail (the primary has frozen its relay and released the address). Returns the failover report.
     *
     * @param budgetMs how long the primary waits; the claim is not made after it, and the takeover is cancelled.
     * @throws IllegalStateException when this node is not the backup or cannot serve (nothing is done).
     */
    public FailoverReport takeOverNow(final String from, final String why, final long budgetMs)
            throws IOException, InterruptedException {
        if (machine.state() != RoleMachine.State.BACKUP || backup == null) {
            throw new IllegalStateException(
                    "this node (" + settings.getId() + ") is not the backup; it is " + machine.state());
        }
        final long deadlineNs = System.nanoTime() + budgetMs * 1_000_000L;
        LOG.info("[{}] handover request from {}{}", settings.getId(), from, why.isEmpty() ? "" : ": " + why);
        final String trigger =
                why.isEmpty() ? "planned handover drill from " + from : why + " (handed over by " + from + ")";
        handoverTrigger = trigger; // at once: an evaluation running now must not fence a primary that is handing over
        try {
            return takeOverNow(from, why, budgetMs, deadlineNs, trigger);
        } finally {
            handoverTrigger = null;
        }
    }

    private FailoverReport takeOverNow(
            final String from, final String why, final long budgetMs, final long deadlineNs, final String trigger)
            throws IOException, InterruptedException {
        final Optional<String> unfit = app.unfitReason();
        if (unfit.isPresent()) {
            LOG.error(
                    "[{}] refusing the handover from {}: this node's replica cannot serve: {}",
                    settings.getId(),
                    from,
                    unfit.get());
            throw new IllegalStateException("this node's replica cannot serve: " + unfit.get()
                    + (why.isEmpty()
                            ? ""
                            : "; the primary's failure (" + why
                                    + ") may have been caused by an input that kills the replica too")
                    + "; not taking over with a dead replica");
        }
        if (probe.answers()) {
            LOG.error(
                    "[{}] refusing the handover from {}: the service still answers at {}:{}",
                    settings.getId(),
                    from,
                    settings.getServiceAddress(),
                    settings.getServicePort());
            throw new IllegalStateException(
                    "the service still answers at " + settings.getServiceAddress() + ":" + settings.getServicePort()
                            + ": its primary has not released it; refusing to take over (two holders "
                            + "of the address would break every client)");
        }
        final Future<FailoverReport> done = decisions.submit(() -> {
            if (machine.state() == RoleMachine.State.PRIMARY && lastFailover != null) {
                // The heartbeat's loss made this node take over while the request waited: it serves, as asked.
                LOG.info(
                        "[{}] handover from {}: took over already ({})",
                        settings.getId(),
                        from,
                        lastFailover.trigger());
                if (!why.isEmpty() && !lastFailover.trigger().contains(why)) {
                    final FailoverReport own = lastFailover;
                    lastFailover = new FailoverReport(
                            own.at(),
                            own.trigger() + "; then " + from + " reported: " + why,
                            own.detectionMs(),
                            own.takeoverMs(),
                            own.restoreMs(),
                            own.restored(),
                            own.notRestored(),
                            own.divergences(),
                            own.mode(),
                            own.fence(),
                            own.claim(),
                            own.epoch(),
                            null);
                }
                return lastFailover.withHandback(lastHandback);
            }
            if (machine.state() != RoleMachine.State.BACKUP) {
                throw new IllegalStateException("this node is " + machine.state() + " and did not take over");
            }
            takeOver(trigger, false, deadlineNs);
            return lastFailover.withHandback(lastHandback);
        });
        try {
            return done.get(budgetMs, TimeUnit.MILLISECONDS);
        } catch (final ExecutionException ex) {
            throw new IOException("takeover failed: " + ex.getCause().getMessage(), ex.getCause());
        } catch (final TimeoutException ex) {
            done.cancel(true);
            throw new IOException(
                    "the takeover did not finish within " + budgetMs + " ms: cancelled (no claim is "
                            + "made after the deadline)",
                    ex);
        }
    }

    /** The primary announces a crash drill: a takeover within {@code windowMs} does not fence it. */
    public void expectCrashDrill(final String from, final long windowMs) {
        if (machine.state() != RoleMachine.State.BACKUP) {
            throw new IllegalStateException(
                    "this node (" + settings.getId() + ") is not the backup; it is " + machine.state());
        }
        crashDrillUntilNs = System.nanoTime() + windowMs * 1_000_000L;
        LOG.warn(
                "[{}] {} announces a crash drill: a takeover within {} ms does not fence it",
                settings.getId(),
                from,
                windowMs);
    }

    // ---------------------------------------------------------------- the primary: drills and handovers

    /**
     * A failover drill, run on the primary: the service moves to the backup with no client error, and this node
     * becomes the backup. {@code planned}: this node freezes its relay, releases the service address and tells the
     * backup to take over now. Otherwise (crash): it freezes, releases the address and goes silent on the heartbeat,
     * and the backup has to notice as after a real crash. Either way this node then gives its sockets up without a
     * FIN or a RST (TCP_REPAIR) and starts tapping. When the backup does not take over, the service stays here, but
     * only once the backup's status says it does not hold the address.
     *
     * @throws IllegalStateException when this node is not the primary, the peer is not in the view or not ready, or
     *                               drills are not configured (takeover.releaseCommand).
     */
    public DrillReport drill(final boolean planned) throws InterruptedException {
        synchronized (drillLock) {
            final PrimaryRole role = primary;
            if (machine.state() != RoleMachine.State.PRIMARY || role == null) {
                throw new IllegalStateException("this node (" + settings.getId() + ") is "
                        + machine.state().name().toLowerCase(Locale.ROOT) + "; send the drill to the primary");
            }
            if (settings.getTakeover().getReleaseCommand().isEmpty()) {
                throw new IllegalStateException("drills need node.takeover.releaseCommand (the command that removes "
                        + "the service address from this host)");
            }
            final PeerApi peer = peerApi();
            final String peerId = judge.checkReady(peer);
            final String mode = planned ? "planned" : "crash";
            final Instant started = Instant.now();
            final String id = Long.toString(started.toEpochMilli());
            LOG.warn("[{}] failover drill {} ({}): handing the service to {}", settings.getId(), id, mode, peer.base());
            final long budgetMs = settings.getTakeover().getCatchUpTimeoutMs() + HANDOVER_MARGIN_MS;
            final Handover handover = handOver(
                    role,
                    "failover drill " + id + " (" + mode + ")",
                    budgetMs,
                    planned,
                    () -> planned
                            ? peer.takeOver(settings.getId(), "", Duration.ofMillis(budgetMs))
                            : awaitCrashTakeover(peer, started, budgetMs));
            final DrillReport report = new DrillReport(
                    id,
                    mode,
                    settings.getId(),
                    handover.error() == null ? peerId : null,
                    started.toString(),
                    Instant.now().toString(),
                    handover.error() == null ? "ok" : "failed",
                    handover.error(),
                    handover.failover());
            lastDrill = report;
            LOG.warn("[{}] drill {} done: {}", settings.getId(), id, report);
            return report;
        }
    }

    /** What a handover came to: the peer's failover report when it serves, else the error. */
    private record Handover(FailoverReport failover, String error) {}

    /** The call that makes the peer serve: a planned handover's request, or waiting out a crash drill. */
    private interface PeerTakeover {
        FailoverReport call() throws IOException, InterruptedException;
    }

    /**
     * Freeze, release, let the peer take over; then become the backup. When the peer's answer was an error, the
     * address is taken back only once the peer's status says it does not hold it, or, when its status cannot be
     * read, once its budget has run out (it makes no claim after that) and no other host answers ARP for the
     * address. Otherwise this node stays released and raises an alarm: no holder is safer than two.
     */
    private Handover handOver(
            final PrimaryRole role,
            final String why,
            final long budgetMs,
            final boolean keepApp,
            final PeerTakeover ask)
            throws InterruptedException {
        machine.transition(RoleMachine.State.HANDING_OVER, why);
        final long askedNs = System.nanoTime();
        FailoverReport failover = null;
        String error = null;
        try {
            role.relay().freeze();
            final long releaseNs = System.nanoTime();
            releaseAddress();
            LOG.info(
                    "[{}] relay frozen and service address released ({} ms): asking the backup to take over",
                    settings.getId(),
                    (System.nanoTime() - releaseNs) / 1_000_000);
            failover = ask.call();
        } catch (final IOException | RuntimeException ex) {
            error = ex.getMessage();
            LOG.error(
                    "[{}] the handover's answer was an error ({}): asking the peer whether it serves",
                    settings.getId(),
                    error);
            final PeerJudge.Verdict verdict = judge.afterFailedHandover(ex, askedNs, budgetMs);
            if (verdict.peerServes()) {
                LOG.warn(
                        "[{}] the handover's answer was lost, but the peer serves: {}",
                        settings.getId(),
                        verdict.why());
                failover = verdict.serves();
                error = null;
            } else if (verdict.mayTakeBack()) {
                LOG.error(
                        "[{}] the backup did not take over ({}): taking the service back ({})",
                        settings.getId(),
                        error,
                        verdict.why());
                rollBack(role, "handover failed: " + error);
                return new Handover(null, error);
            } else {
                addressAlarm = Instant.now() + ": handover failed (" + error + ") and " + verdict.why()
                        + ": this node keeps the address released; an operator must check who serves";
                LOG.error("[{}] ALARM: {}", settings.getId(), addressAlarm);
                return new Handover(null, error + "; " + verdict.why() + ": the address stays released");
            }
        }
        // The app, healthy, has had what the new primary's has: it follows the moved connections as their replica.
        final List<MovedInput> handback = keepApp && failover != null ? failover.handback() : null;
        final String after = becomeBackup(role, why + ": the peer serves", handback);
        return new Handover(failover == null ? null : failover.withHandback(null), after);
    }

    /** The app failed (its process ended, or its check says it hangs): on a primary, hand every connection over. */
    private void onAppFailed(final AppSupervisor.AppFailure failure) {
        if (machine.state() == RoleMachine.State.PRIMARY) {
            decisions.submit(() -> handOverForApp(failure));
        } else {
            LOG.error(
                    "[{}] this backup's app {} ({}): its replicas are gone and it will not take over until the app "
                            + "is restarted and this node with it",
                    settings.getId(),
                    failure.kind(),
                    failure.description());
        }
    }

    /**
     * The app crashed or hung on this primary: nothing reaches any client (the relay holds every app close), the
     * backup's replica takes every connection over by the planned drill's path, and this node restarts its app and
     * becomes the backup. When the backup cannot take over, the held closes pass: clients see what they would have
     * seen without Understudy.
     */
    private void handOverForApp(final AppSupervisor.AppFailure failure) {
        synchronized (drillLock) {
            final PrimaryRole role = primary;
            if (machine.state() != RoleMachine.State.PRIMARY || role == null) {
                return;
            }
            final String cause = "app " + failure.kind() + " on " + settings.getId() + ": " + failure.description();
            if (peerFenced && !peerAlive()) {
                keepServiceWithoutBackup(failure, cause);
                return;
            }
            LOG.warn("[{}] {}: handing every connection to the backup", settings.getId(), cause);
            final long budgetMs = settings.getTakeover().getCatchUpTimeoutMs() + HANDOVER_MARGIN_MS;
            Handover handover;
            try {
                final PeerApi peer = peerApi();
                handover = handOver(
                        role,
                        cause,
                        budgetMs,
                        false,
                        () -> peer.takeOver(settings.getId(), cause, Duration.ofMillis(budgetMs)));
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                handover = new Handover(null, "interrupted");
            }
            String restart = null;
            if (handover.failover() != null) {
                restart = restartApp();
            } else if (machine.state() == RoleMachine.State.PRIMARY) {
                LOG.error("[{}] the backup did not take over: the app's closes reach the clients", settings.getId());
                app.passHeldCloses();
            }
            final long handoverMs =
                    Duration.between(failure.at(), Instant.now()).toMillis();
            lastAppFailure = new AppFailureReport(
                    failure.at().toString(),
                    failure.kind(),
                    failure.description(),
                    handover.failover() == null ? "not handed over" : "handed over",
                    handover.error(),
                    handoverMs,
                    restart,
                    handover.failover());
            LOG.warn("[{}] after the app failure: {}", settings.getId(), lastAppFailure);
        }
    }

    /**
     * The app failed and there is no backup: this node fenced the peer and has not heard it since. Asking it to take
     * over would only freeze the relay and release the address for the handover's whole budget. A hung app may be
     * only slow (a node just after a takeover, catching up under load, is): the service stays here, and the failure
     * is forgotten once the app answers its check again. A dead app's closes reach its clients, as they would without
     * Understudy, and the app is restarted for new clients.
     */
    private void keepServiceWithoutBackup(final AppSupervisor.AppFailure failure, final String cause) {
        final String error = "no backup: this node fenced the peer and has not heard it since";
        String restart = null;
        if ("hung".equals(failure.kind())) {
            LOG.error(
                    "[{}] ALARM: {}, and {}: the service stays on this node (a slow app is fit again once it "
                            + "answers its check; a hung one keeps its clients waiting)",
                    settings.getId(),
                    cause,
                    error);
        } else {
            LOG.error("[{}] ALARM: {}, and {}: the app's closes reach the clients", settings.getId(), cause, error);
            app.passHeldCloses();
            restart = restartApp();
        }
        lastAppFailure = new AppFailureReport(
                failure.at().toString(),
                failure.kind(),
                failure.description(),
                "not handed over",
                error,
                Duration.between(failure.at(), Instant.now()).toMillis(),
                restart,
                null);
        LOG.warn("[{}] after the app failure: {}", settings.getId(), lastAppFailure);
    }

    /** Runs node.app.restartCommand after a handover; returns what it did. */
    private String restartApp() {
        final List<String> command = settings.getApp().getRestartCommand();
        if (command.isEmpty()) {
            return "no node.app.restartCommand: the app is not restarted here, and this node protects nothing "
                    + "until it is";
        }
        try {
            final String output = Commands.run(
                    command, "restarting the app", settings.getApp().getRestartTimeoutMs());
            app.restart();
            LOG.info("[{}] app restarted: {}", settings.getId(), output);
            return "restarted: " + output;
        } catch (final IOException ex) {
            LOG.error("[{}] could not restart the app: {}", settings.getId(), ex.getMessage());
            return "restart failed: " + ex.getMessage();
        }
    }

    /** The relay thread died: this node must not heartbeat on as a healthy primary. */
    private void onRelayDied(final Throwable failure) {
        if (machine.state().side() == Role.PRIMARY) {
            LOG.error(
                    "[{}] the relay thread died ({}): exiting, so the supervisor releases the service address and "
                            + "the backup takes over",
                    settings.getId(),
                    failure.toString());
            exitNow(70);
        }
    }

    /**
     * Exits at once, without shutdown hooks (they could block a node out of memory), after the logs are written:
     * Dropwizard's appenders are asynchronous, and the line that says why the node exits must not be lost.
     */
    static void exitNow(final int status) {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logging) {
            logging.stop(); // drains the asynchronous appenders
        }
        Runtime.getRuntime().halt(status);
    }

    /** Fault injection (node.faultInjection, lab only): the relay thread dies as if it had run out of memory. */
    public void injectRelayFailure() {
        if (!settings.isFaultInjection()) {
            throw new IllegalStateException("fault injection is off on this node (node.faultInjection: false)");
        }
        final PrimaryWrapper relay = relay();
        if (relay == null) {
            throw new IllegalStateException(
                    "this node (" + settings.getId() + ") relays nothing: it is " + machine.state());
        }
        LOG.warn("[{}] fault injection: killing the relay thread in 200 ms", settings.getId());
        // Later, not now: the node exits at once when its relay dies, and the request must get its answer first.
        CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)
                .execute(() -> relay.injectFailure(new OutOfMemoryError("injected by POST /faults/relay-error")));
    }

    /** Crash drill: no heartbeat from here until the backup serves (or the budget runs out). */
    private FailoverReport awaitCrashTakeover(final PeerApi peer, final Instant started, final long budgetMs)
            throws IOException, InterruptedException {
        peer.expectCrashDrill(settings.getId(), budgetMs);
        membership.discardAll(true);
        final FastHeartbeat fast = fastHeartbeat;
        if (fast != null) {
            fast.mute(true);
        }
        try {
            final long deadline = System.nanoTime() + budgetMs * 1_000_000L;
            while (System.nanoTime() < deadline) {
                Thread.sleep(100);
                final JsonNode status;
                try {
                    status = peer.status(Duration.ofSeconds(2));
                } catch (final IOException ex) {
                    continue; // busy taking over
                }
                final JsonNode last = status.path("lastFailover");
                if ("PRIMARY".equals(status.path("role").asText())
                        && !last.isMissingNode()
                        && !last.isNull()
                        && Instant.parse(last.path("at").asText()).isAfter(started)) {
                    return PeerApi.failoverReport(last);
                }
            }
            throw new IOException("the backup at " + peer.base() + " did not take over within " + budgetMs + " ms");
        } finally {
            membership.discardAll(false);
            if (fast != null) {
                fast.mute(false);
            }
        }
    }

    /** The handover failed and the peer does not hold the address: take it back and move bytes again. */
    private void rollBack(final PrimaryRole role, final String why) {
        try {
            Commands.run(settings.getTakeover().getClaimCommand(), "claiming the service address back");
        } catch (final IOException ex) {
            LOG.error("[{}] could not claim the service address back: {}", settings.getId(), ex.getMessage());
        }
        machine.transition(RoleMachine.State.PRIMARY, "rolled back: " + why);
        role.relay().thaw();
    }

    /**
     * After the peer took over: give the sockets up silently and become the backup. With {@code handback} (a planned
     * handover's answer), the app's side of each moved connection is kept and this node's app follows it as its hot
     * replica. Returns an error or null.
     */
    private String becomeBackup(final PrimaryRole role, final String why, final List<MovedInput> handback) {
        String error = null;
        List<ReplicaSeed> seeds = List.of();
        try {
            final String notKept = handback == null ? "no handback" : whyNoReplicaKept();
            if (notKept == null) {
                seeds = ReplicaSeeds.of(settings.getId(), role.relay().handOver(new RepairDumper()), handback);
            } else {
                LOG.info(
                        "[{}] the moved connections are not followed by this node's app: {}",
                        settings.getId(),
                        notKept);
                role.relay().abandon(TcpRepair::closeSilently);
            }
        } catch (final IOException | RuntimeException ex) {
            error = "could not give the relay's sockets up: " + ex.getMessage();
            LOG.error("[{}] {}", settings.getId(), error);
        }
        role.closeAfterHandover();
        primary = null;
        try {
            final Thread closing = backupCloser;
            if (closing != null) {
                closing.join(CLOSE_WAIT_MS);
            }
            // Seeds: this node's app had what the new primary's had and follows on; without, it may not have.
            backup = BackupRole.start(wiring, eventLog, seeds, seeds.isEmpty());
        } catch (final IOException | RuntimeException | InterruptedException ex) {
            if (ex instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            seeds.forEach(seed -> closeQuietly(seed.app()));
            LOG.error("[{}] the other node serves, but this node could not become its backup", settings.getId(), ex);
            error = "the other node serves, but this node could not become its backup: " + ex.getMessage();
        }
        machine.transition(RoleMachine.State.BACKUP, why);
        LOG.warn("[{}] now BACKUP (epoch {}): the other node serves", settings.getId(), machine.epoch());
        return error;
    }

    /** How long a new backup role waits for the last takeover's backup role to close. */
    private static final long CLOSE_WAIT_MS = 5_000;

    /** Why this node's app cannot follow the connections it hands over (null: it can). */
    private String whyNoReplicaKept() {
        if (settings.getTakeover().getMode() == TakeoverSettings.Mode.REPLAY) {
            return "replay mode keeps no hot replica";
        }
        if (wiring.tapConfig().appAddress() == null) {
            return "no app to replicate";
        }
        return app.unfitReason().map(why -> "the app is not fit: " + why).orElse(null);
    }

    /** What the old primary needs of each restored connection to follow it as a replica. */
    private static List<MovedInput> handback(final TakeoverReport report) {
        final List<MovedInput> moved = new ArrayList<>();
        for (final RestoredConnection restored : report.restored()) {
            moved.add(new MovedInput(
                    MovedInput.client(restored.clientAddress()),
                    restored.clientOffset(),
                    restored.serverOffset(),
                    restored.takenFrom(),
                    restored.taken()));
        }
        return moved;
    }

    // ---------------------------------------------------------------- lifecycle and what the API shows

    /** Whether the service address is one of this host's addresses now. */
    public boolean holdsServiceAddress() {
        return probe.isLocal();
    }

    public Optional<DrillReport> lastDrill() {
        return Optional.ofNullable(lastDrill);
    }

    @Override
    public void stop() throws IOException {
        decisions.shutdownNow();
        if (seeds != null) {
            seeds.close();
        }
        peerChecks.shutdownNow();
        earlyProber.shutdownNow();
        watchdog.close();
        if (app != null) {
            app.close();
        }
        if (membership != null) {
            membership.close();
        }
        final FastHeartbeat fast = fastHeartbeat;
        if (fast != null) {
            fast.close();
        }
        final PrimaryRole serving = primary;
        if (serving != null) {
            serving.close();
        }
        final BackupRole standing = backup;
        if (standing != null) {
            standing.close();
        }
        if (eventLog != null) {
            eventLog.close();
        }
        if (machine != null && machine.state() != RoleMachine.State.STOPPED) {
            machine.transition(RoleMachine.State.STOPPED, "node stopped");
        }
        try {
            decisions.awaitTermination(1, TimeUnit.SECONDS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        LOG.info("[{}] stopped", settings.getId());
    }

    public NodeSettings settings() {
        return settings;
    }

    /** The side now: PRIMARY while this node holds (or is handing over) the service, BACKUP otherwise. */
    public Role role() {
        return machine == null ? settings.getRole() : machine.side();
    }

    /** The planned handover this backup is carrying out now (its trigger), from acceptance to answer; else empty. */
    public Optional<String> handoverUnderWay() {
        return Optional.ofNullable(handoverTrigger);
    }

    /** The role's state now; STARTING before start. */
    public RoleMachine.State state() {
        return machine == null ? RoleMachine.State.STARTING : machine.state();
    }

    /** This node's epoch (0 before start). */
    public long epoch() {
        return machine == null ? 0 : machine.epoch();
    }

    /** The highest epoch the peer announced. */
    public long peerEpoch() {
        return machine == null ? 0 : machine.peerEpoch();
    }

    /** The role's last changes, oldest first. */
    public List<RoleMachine.Transition> transitions() {
        return machine == null ? List.of() : machine.history();
    }

    /** What needs an operator now: a failed fence, another holder of the address, a failed takeover. */
    public List<String> alarms() {
        final List<String> alarms = new ArrayList<>();
        fence.alarm().ifPresent(alarms::add);
        Optional.ofNullable(addressAlarm).ifPresent(alarms::add);
        return alarms;
    }

    /** Fence runs that succeeded and that failed. */
    public long[] fenceCounts() {
        return new long[] {fence.fenced(), fence.failures()};
    }

    /** Times the relay's lease keeper found this node held up for longer than the lease. */
    public long pausesSeen() {
        final PrimaryRole serving = primary;
        return serving == null ? 0 : serving.pausesSeen();
    }

    public Optional<DemotionReport> lastDemotion() {
        return Optional.ofNullable(lastDemotion);
    }

    public Optional<MembershipView> view() {
        return Optional.ofNullable(membership).map(Membership::view);
    }

    public long heartbeatAgeMs() {
        return membership == null ? -1 : membership.millisSincePeerHeard();
    }

    /** Why the last takeover attempt failed, until one succeeds. */
    public Optional<String> takeoverFailure() {
        return Optional.ofNullable(takeoverFailure);
    }

    public Optional<FailoverReport> lastFailover() {
        return Optional.ofNullable(lastFailover);
    }

    private PrimaryWrapper relay() {
        final PrimaryRole serving = primary;
        return serving == null ? null : serving.relay();
    }

    /** The relay, while this node is primary. */
    public Optional<PrimaryWrapper> wrapper() {
        return Optional.ofNullable(relay());
    }

    public Optional<TapStats> tapStats() {
        return Optional.ofNullable(backup).map(standing -> standing.tapper().stats());
    }

    /** While this node is the backup and runs {@code replica.syncCommand}: where bringing its app in step stands. */
    public Optional<io.understudy.admin.api.ReplicaSyncStatus> replicaSync() {
        return Optional.ofNullable(backup).map(BackupRole::syncStatus);
    }

    /** The read log the primary ships, while this node is primary. */
    public Optional<ReadLogStats> readLogStats() {
        return wrapper().map(PrimaryWrapper::readLogStats);
    }

    /** The logger this node runs (as the backup), if it runs one. */
    public Optional<LogServerStats> loggerStats() {
        return Optional.ofNullable(backup).map(BackupRole::logServer).map(LogServer::stats);
    }

    /** The connections the relay moves now, while this node is primary. */
    public Optional<List<RelayedConnection>> relayedConnections() throws IOException, InterruptedException {
        final PrimaryWrapper relay = relay();
        return relay == null ? Optional.empty() : Optional.of(relay.connections());
    }

    /** The connections the tap tracks now, while this node is backup. */
    public Optional<List<io.understudy.backup.TapConnection>> tappedConnections()
            throws IOException, InterruptedException {
        final BackupRole standing = backup;
        return standing == null
                ? Optional.empty()
                : Optional.of(standing.tapper().connections());
    }

    /** This node's app, as it watches it; empty before start. */
    public Optional<io.understudy.admin.api.AppStatus> appStatus() {
        return Optional.ofNullable(app).map(AppSupervisor::status);
    }

    /** What this node did the last time its app failed while it was primary. */
    public Optional<AppFailureReport> lastAppFailure() {
        return Optional.ofNullable(lastAppFailure);
    }

    public Optional<RelayStats> relayStats() {
        return wrapper().map(PrimaryWrapper::stats);
    }
}
