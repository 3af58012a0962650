package io.understudy.admin.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.dropwizard.lifecycle.Managed;
import io.understudy.admin.api.AppFailureReport;
import io.understudy.admin.api.DrillReport;
import io.understudy.admin.api.FailoverReport;
import io.understudy.admin.cluster.Membership;
import io.understudy.admin.cluster.MembershipConfig;
import io.understudy.admin.cluster.MembershipListener;
import io.understudy.admin.cluster.MembershipView;
import io.understudy.backup.BackupTapper;
import io.understudy.backup.RestoredConnection;
import io.understudy.backup.TakeoverReport;
import io.understudy.backup.TapConfig;
import io.understudy.backup.TapStats;
import io.understudy.logger.EventLog;
import io.understudy.logger.EventLogConfig;
import io.understudy.logger.LogServer;
import io.understudy.logger.LogServerStats;
import io.understudy.primary.CloseGuard;
import io.understudy.primary.NftCloseGuard;
import io.understudy.primary.PrimaryWrapper;
import io.understudy.primary.PrimaryWrapperConfig;
import io.understudy.primary.ReadLog;
import io.understudy.primary.ReadLogStats;
import io.understudy.primary.RelayStats;

/**
 * The node's role in the pair, started and stopped with the Dropwizard server. A primary relays clients from the
 * service address to its app; a backup taps the service's traffic, keeps a hot replica of every connection, and
 * takes the service over when the primary is gone: heartbeat lost, the service no longer answering a direct probe,
 * and the tap hearing no progress from the primary for a while (no new bytes, no new acks; retransmissions of a
 * dead node's orphaned sockets do not count).
 */
public final class Node implements Managed, MembershipListener
{
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    private static final long RECHECK_INTERVAL_MS = 100;

    private final NodeSettings settings;
    private final ExecutorService decisions = Executors.newSingleThreadExecutor(runnable ->
    {
        final Thread thread = new Thread(runnable, "takeover-decisions");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Role role;
    private volatile PrimaryWrapper wrapper;
    private volatile BackupTapper tapper;
    private volatile EventLog eventLog;
    private volatile LogServer logServer;
    private volatile ReadLog readLog = ReadLog.NONE;
    private volatile Membership membership;
    private volatile FailoverReport lastFailover;
    private volatile boolean evaluating;
    /** A handover the primary asked for while this backup was evaluating a lost heartbeat: take over now. */
    private volatile String handoverTrigger;
    private volatile String takeoverFailure;
    private volatile DrillReport lastDrill;
    private volatile String apiToken = "";
    private final Object drillLock = new Object();
    private volatile AppSupervisor app;
    private volatile Optional<io.understudy.admin.security.PairSecret> secret = Optional.empty();
    private volatile AppFailureReport lastAppFailure;
    private final RelayWatchdog watchdog;
    private final ServiceProbe probe;

    public Node(final NodeSettings settings)
    {
        this.settings = settings;
        this.role = settings.getRole();
        this.probe = new ServiceProbe(new InetSocketAddress(settings.getServiceAddress(), settings.getServicePort()),
            settings.getTakeover().getProbeTimeoutMs());
        this.watchdog = new RelayWatchdog(settings.getId(), () -> wrapper,
            settings.getApp().getCheck().getRelayStallMs(), this::onRelayStalled);
    }

    @Override
    public void start() throws IOException
    {
        secret = loadSecret();
        if (role == Role.PRIMARY && probe.answers())
        {
            LOG.warn("[{}] configured as primary, but {}:{} already answers: another node holds the service; " +
                "starting as backup", settings.getId(), settings.getServiceAddress(), settings.getServicePort());
            role = Role.BACKUP;
        }
        DirectMemory.checkFits(settings.getMaxConnections(), settings.getRelayBufferBytes());
        app = new AppSupervisor(settings.getId(), settings.getApp(),
            new InetSocketAddress(settings.getAppAddress(), settings.getAppPort()), this::onAppFailed);
        app.start();
        final EventLogSettings log = settings.getEventLog();
        eventLog = EventLog.open(EventLogConfig.of(Path.of(log.getDirectory()))
            .withRollCycle(log.getRollCycle())
            .withRetainCycles(log.getRetainCycles()));
        if (role == Role.PRIMARY)
        {
            readLog = startReadLog();
            wrapper = PrimaryWrapper.start(wrapperConfig(), this::onRelayDied);
        }
        else
        {
            startLogger();
            tapper = BackupTapper.start(tapConfig(), eventLog);
        }
        membership = Membership.start(membershipConfig(), this);
        watchdog.start();
        final Thread warmUp = new Thread(() -> PeerApi.warmUp(() -> new PeerApi(peerApiBase(), apiToken)),
            "peer-api-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        LOG.info("[{}] started as {}: service {}:{}, app {}:{}", settings.getId(), role,
            settings.getServiceAddress(), settings.getServicePort(), settings.getAppAddress(), settings.getAppPort());
    }

    /** The backup runs the logger the primary ships to, unless a third host does (node.log.logger set). */
    private void startLogger() throws IOException
    {
        final LogSettings log = settings.getLog();
        if (log.isEnabled() && log.getLogger().isBlank())
        {
            logServer = LogServer.start(settings.getId(),
                new InetSocketAddress(settings.getLanAddress(), log.getListenPort()), eventLog,
                readLogAuth());
        }
    }

    /** Where the logger is: the third host when configured, else this node (backup) or its peer (primary). */
    InetSocketAddress loggerAddress(final Role as)
    {
        final LogSettings log = settings.getLog();
        if (!log.getLogger().isBlank())
        {
            final String[] hostPort = log.getLogger().split(":");
            return new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        }
        if (as == Role.BACKUP)
        {
            return new InetSocketAddress(settings.getLanAddress(), log.getListenPort());
        }
        return new InetSocketAddress(peerHost("node.log: no peer in node.membership.peers other than this node (" +
            settings.getLanAddress() + ") to ship the read log to; set node.log.logger"), log.getListenPort());
    }

    /** The other node's LAN address, from the membership's peers. */
    private String peerHost(final String whenNone)
    {
        final String self = settings.getLanAddress() + ":" + settings.getMembership().getBindPort();
        for (final String peer : settings.getMembership().getPeers())
        {
            if (!peer.equals(self) && !peer.equals(settings.getLanAddress()))
            {
                return peer.contains(":") ? peer.substring(0, peer.lastIndexOf(':')) : peer;
            }
        }
        throw new IllegalStateException(whenNone);
    }

    private ReadLog startReadLog()
    {
        final LogSettings log = settings.getLog();
        if (!log.isEnabled())
        {
            return ReadLog.NONE;
        }
        final InetSocketAddress logger = loggerAddress(Role.PRIMARY);
        LOG.info("[{}] shipping the read log to {} ({} commit)", settings.getId(), logger,
            log.getCommit().name().toLowerCase(java.util.Locale.ROOT));
        return ReadLog.shipping(settings.getId(), logger,
            readLogAuth(), log.getBufferBytes(),
            log.getReconnectMs(), log.getCommit() == LogSettings.Commit.SYNC, log.getCommitTimeoutMs());
    }

    private PrimaryWrapperConfig wrapperConfig()
    {
        return new PrimaryWrapperConfig(
            settings.getId(),
            new InetSocketAddress(settings.getServiceAddress(), settings.getServicePort()),
            new InetSocketAddress(settings.getAppAddress(), settings.getAppPort()),
            settings.getRelayBufferBytes(),
            settings.getCloseGuardTable().isBlank() ? CloseGuard.NONE :
                new NftCloseGuard(settings.getId(), settings.getCloseGuardTable(), settings.getCloseGuardSet()),
            readLog,
            app == null ? io.understudy.primary.AppCloseGate.PASS : app,
            settings.getMaxConnections());
    }

    private TapConfig tapConfig()
    {
        final TapSettings tap = settings.getTap();
        return new TapConfig(settings.getId(), tap.getInterfaceName(), settings.getServiceAddress(),
            Set.of(settings.getServicePort()), tap.getSnapLengthBytes(), tap.getBufferBytes(),
            new TapConfig.TrackerLimits(tap.getStreamCapBytes(), tap.getGlobalCapBytes(), tap.getMaxConnections()),
            new InetSocketAddress(settings.getAppAddress(), settings.getAppPort()),
            settings.getTakeover().getMode() == TakeoverSettings.Mode.REPLAY,
            settings.getLog().isEnabled() ? loggerAddress(Role.BACKUP) : null,
            readLogAuth());
    }

    /**
     * The heartbeat's config with the pair's membership key from node.security.secretFile; no key only when the
     * config says insecure: true and names no secret file.
     *
     * @throws io.understudy.logger.UnderstudyException naming the secret file when it cannot be read.
     */
    /**
     * The pair's secret, read once at start, before any channel opens: every channel's key derives from it.
     *
     * @throws io.understudy.logger.UnderstudyException naming the secret file when it cannot be used.
     */
    private Optional<io.understudy.admin.security.PairSecret> loadSecret()
    {
        final io.understudy.admin.security.SecuritySettings security = settings.getSecurity();
        final Optional<io.understudy.admin.security.PairSecret> loaded;
        try
        {
            loaded = security.load();
        }
        catch (final IOException ex)
        {
            throw new io.understudy.logger.UnderstudyException("nodeId=" + settings.getId() + ", cannot start the "
                + "heartbeat: node.security.secretFile=" + security.getSecretFile() + " cannot be used: "
                + ex.getMessage(), ex);
        }
        if (loaded.isEmpty() && !security.isInsecure())
        {
            throw new io.understudy.logger.UnderstudyException("nodeId=" + settings.getId() + ", cannot start the "
                + "heartbeat: node.security.secretFile is not set and node.security.insecure is false");
        }
        return loaded;
    }

    /** The read log's key from the pair's secret; none when this node runs insecure. */
    private io.understudy.logger.LogAuth readLogAuth()
    {
        return secret.map(io.understudy.admin.security.ReadLogKey::of).orElse(io.understudy.logger.LogAuth.INSECURE);
    }

    private MembershipConfig membershipConfig()
    {
        final MembershipSettings cluster = settings.getMembership();
        final byte[] key = secret.map(pair -> pair.key(io.understudy.admin.security.PairSecret.MEMBERSHIP))
            .orElse(null);
        return new MembershipConfig(settings.getId(), settings.getLanAddress(), cluster.getBindPort(),
            cluster.getPeers(), MembershipConfig.DEFAULT_CLUSTER_NAME, cluster.getFailureTimeoutMs(),
            cluster.getHeartbeatIntervalMs(), cluster.getVerifySuspectMs(), MembershipConfig.DEFAULT_JOIN_TIMEOUT_MS,
            key);
    }

    @Override
    public void onPeerLost(final String peerId, final String why)
    {
        if (role == Role.BACKUP && !evaluating)
        {
            evaluating = true;
            LOG.warn("[{}] heartbeat from {} lost ({}): checking whether the primary still serves", settings.getId(),
                peerId, why);
            decisions.submit(() -> evaluate(peerId + " " + why));
        }
    }

    /** Takes over only when the heartbeat is gone, the service does not answer and the tap heard nothing from it. */
    private void evaluate(final String heartbeat)
    {
        boolean reported = false;
        try
        {
            while (role == Role.BACKUP && !membership.isPeerPresent())
            {
                final Optional<String> unfit = app.unfitReason();
                if (unfit.isPresent())
                {
                    LOG.error("[{}] the primary looks gone, but this node does not take over: {}; clients see what " +
                        "they would without Understudy", settings.getId(), unfit.get());
                    return;
                }
                final String asked = handoverTrigger;
                if (asked != null)
                {
                    takeOver(asked);
                    return;
                }
                final boolean answers = probe.exchanges(app, settings.getApp().getCheck().getTimeoutMs());
                final long quietNs = System.nanoTime() - tapper.lastServerProgressNs();
                final boolean tapQuiet = quietNs > settings.getTakeover().getQuietMs() * 1_000_000L;
                if (!answers && tapQuiet)
                {
                    takeOver("heartbeat lost (" + heartbeat + "), service probe failed, tap quiet");
                    return;
                }
                if (!reported)
                {
                    LOG.warn("[{}] not taking over: the primary still serves ({})", settings.getId(),
                        answers ? "it answers a direct probe" : "the tap still hears it");
                    reported = true;
                }
                Thread.sleep(RECHECK_INTERVAL_MS);
            }
            LOG.info("[{}] heartbeat back: staying {}", settings.getId(), role);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final IOException | RuntimeException ex)
        {
            takeoverFailure = Instant.now() + ": " + ex;
            LOG.error("[{}] takeover failed; the service is not taken over and this node needs an operator",
                settings.getId(), ex);
        }
        finally
        {
            evaluating = false;
        }
    }

    private void takeOver(final String trigger) throws IOException, InterruptedException
    {
        final long startNs = System.nanoTime();
        final long heardMsAgo = Math.max(0, membership.millisSincePeerHeard());
        LOG.warn("[{}] taking over: {}", settings.getId(), trigger);
        final long divergences = tapper.stats().divergences();
        final PrimaryWrapper[] started = new PrimaryWrapper[1];
        final TakeoverReport report = tapper.takeOver(settings.getTakeover().getCatchUpTimeoutMs(), () ->
        {
            tapper.claimServiceAddress(settings.getTakeover().getClaimCommand());
            readLog = startReadLog(); // to the peer's logger, once the old primary is back as the backup
            final Optional<String> unfit = app.unfitReason();
            if (unfit.isPresent())
            {
                throw new IllegalStateException("not taking over with a dead replica: " + unfit.get());
            }
            started[0] = PrimaryWrapper.start(wrapperConfig(), this::onRelayDied);
        });
        final PrimaryWrapper relay = started[0];
        for (final RestoredConnection restored : report.restored())
        {
            relay.adopt(restored.client(), restored.app(), restored.pendingToClient());
        }
        wrapper = relay;
        role = Role.PRIMARY;
        final BackupTapper done = tapper;
        tapper = null;
        done.close();
        final LogServer served = logServer;
        logServer = null;
        if (served != null)
        {
            served.close(); // the new backup runs the logger now
        }
        final long takeoverMs = (System.nanoTime() - startNs) / 1_000_000;
        lastFailover = new FailoverReport(Instant.now().toString(), trigger, heardMsAgo, takeoverMs,
            report.restoreMs(), report.restored().size(), report.notRestored(), divergences,
            settings.getTakeover().getMode().name().toLowerCase(java.util.Locale.ROOT));
        LOG.warn("[{}] now PRIMARY: {}", settings.getId(), lastFailover);
    }

    /** The token this node sends to its peer's API (a drill tells the backup to take over with it). */
    public void setApiToken(final String token)
    {
        this.apiToken = token == null ? "" : token;
    }

    /**
     * A planned handover's second half, on the backup: take the service over now, without waiting for the heartbeat
     * to fail (the primary has frozen its relay and released the address). Returns the failover report.
     *
     * @throws IllegalStateException when this node is not the backup (nothing is done).
     */
    public FailoverReport takeOverNow(final String from, final String why) throws IOException, InterruptedException
    {
        if (role != Role.BACKUP || tapper == null)
        {
            throw new IllegalStateException("this node (" + settings.getId() + ") is not the backup; it is " + role);
        }
        LOG.info("[{}] handover request from {}{}", settings.getId(), from, why.isEmpty() ? "" : ": " + why);
        final Optional<String> unfit = app.unfitReason();
        if (unfit.isPresent())
        {
            LOG.error("[{}] refusing the handover from {}: this node's replica cannot serve: {}", settings.getId(),
                from, unfit.get());
            throw new IllegalStateException("this node's replica cannot serve: " + unfit.get() + (why.isEmpty() ? "" :
                "; the primary's failure (" + why + ") may have been caused by an input that kills the replica too") +
                "; not taking over with a dead replica");
        }
        if (probe.answers())
        {
            LOG.error("[{}] refusing the handover from {}: the service still answers at {}:{}", settings.getId(), from,
                settings.getServiceAddress(), settings.getServicePort());
            throw new IllegalStateException("the service still answers at " + settings.getServiceAddress() + ":" +
                settings.getServicePort() + ": its primary has not released it; refusing to take over (two holders " +
                "of the address would break every client)");
        }
        final String trigger = why.isEmpty() ? "planned handover drill from " + from :
            why + " (handed over by " + from + ")";
        handoverTrigger = trigger; // an evaluation running now takes over with it at once, ahead of this task
        final java.util.concurrent.Future<FailoverReport> done = decisions.submit(() ->
        {
            if (role == Role.PRIMARY && lastFailover != null)
            {
                // The heartbeat's loss made this node take over while the request waited: it serves, as asked.
                LOG.info("[{}] handover from {}: took over already ({})", settings.getId(), from, lastFailover.trigger());
                if (!why.isEmpty() && !lastFailover.trigger().contains(why))
                {
                    final FailoverReport own = lastFailover;
                    lastFailover = new FailoverReport(own.at(), own.trigger() + "; then " + from + " reported: " +
                        why, own.detectionMs(), own.takeoverMs(), own.restoreMs(), own.restored(),
                        own.notRestored(), own.divergences(), own.mode());
                }
                return lastFailover;
            }
            if (role != Role.BACKUP)
            {
                throw new IllegalStateException("this node is " + role + " and did not take over");
            }
            takeOver(trigger);
            return lastFailover;
        });
        try
        {
            return done.get(settings.getTakeover().getCatchUpTimeoutMs() + 10_000, TimeUnit.MILLISECONDS);
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            takeoverFailure = Instant.now() + ": " + ex.getCause();
            throw new IOException("takeover failed: " + ex.getCause().getMessage(), ex.getCause());
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            throw new IOException("takeover did not finish in time", ex);
        }
        finally
        {
            handoverTrigger = null;
        }
    }

    /**
     * A failover drill, run on the primary: the service moves to the backup with no client error, and this node
     * becomes the backup. {@code planned}: this node freezes its relay, releases the service address and tells the
     * backup to take over now. Otherwise (crash): it freezes, releases the address and goes silent on the heartbeat,
     * and the backup has to notice as after a real crash. Either way this node then gives its sockets up without a
     * FIN or a RST (TCP_REPAIR) and starts tapping. When the backup does not take over, the service stays here.
     *
     * @throws IllegalStateException when this node is not the primary, a drill is running, or drills are not
     *                               configured (takeover.releaseCommand).
     */
    public DrillReport drill(final boolean planned) throws InterruptedException
    {
        synchronized (drillLock)
        {
            final PrimaryWrapper relay = wrapper;
            if (role != Role.PRIMARY || relay == null)
            {
                throw new IllegalStateException("this node (" + settings.getId() + ") is the " +
                    role.name().toLowerCase(java.util.Locale.ROOT) + "; send the drill to the primary");
            }
            if (settings.getTakeover().getReleaseCommand().isEmpty())
            {
                throw new IllegalStateException("drills need node.takeover.releaseCommand (the command that removes " +
                    "the service address from this host)");
            }
            final PeerApi peer = new PeerApi(peerApiBase(), apiToken);
            final String peerId = peerIdOr(peer); // now: a crash drill hides the peer from the view
            final String mode = planned ? "planned" : "crash";
            final Instant started = Instant.now();
            final String id = Long.toString(started.toEpochMilli());
            LOG.warn("[{}] failover drill {} ({}): handing the service to {}", settings.getId(), id, mode, peer.base());
            FailoverReport failover = null;
            String error = null;
            try
            {
                relay.freeze();
                Commands.run(settings.getTakeover().getReleaseCommand(), "releasing the service address");
                failover = planned ? peer.takeOver(settings.getId(), "", Duration.ofMillis(
                    settings.getTakeover().getCatchUpTimeoutMs() + 15_000)) : awaitCrashTakeover(peer, started);
            }
            catch (final IOException | RuntimeException ex)
            {
                failover = peer.servesNow(settings.getId()).orElse(null);
                if (failover == null)
                {
                    error = ex.getMessage();
                    LOG.error("[{}] drill {} failed, keeping the service here: {}", settings.getId(), id, error);
                    rollBack(relay);
                }
            }
            if (error == null)
            {
                error = becomeBackup(relay);
            }
            final DrillReport report = new DrillReport(id, mode, settings.getId(),
                failover == null ? null : peerId, started.toString(), Instant.now().toString(),
                error == null ? "ok" : "failed", error, failover);
            lastDrill = report;
            LOG.warn("[{}] drill {} done: {}", settings.getId(), id, report);
            return report;
        }
    }

    /** The app failed (its process ended, or its check says it hangs): on a primary, hand every connection over. */
    private void onAppFailed(final AppSupervisor.AppFailure failure)
    {
        if (role == Role.PRIMARY)
        {
            decisions.submit(() -> handOverForApp(failure));
        }
        else
        {
            LOG.error("[{}] this backup's app {} ({}): its replicas are gone and it will not take over until the app " +
                "is restarted and this node with it", settings.getId(), failure.kind(), failure.description());
        }
    }

    /**
     * The app crashed or hung on this primary: nothing reaches any client (the relay holds every app close), the
     * backup's replica takes every connection over by the planned drill's path, and this node restarts its app and
     * becomes the backup. When the backup cannot take over, the held closes pass: clients see what they would have
     * seen without Understudy.
     */
    private void handOverForApp(final AppSupervisor.AppFailure failure)
    {
        synchronized (drillLock)
        {
            final PrimaryWrapper relay = wrapper;
            if (role != Role.PRIMARY || relay == null)
            {
                return;
            }
            final String cause = "app " + failure.kind() + " on " + settings.getId() + ": " + failure.description();
            LOG.warn("[{}] {}: handing every connection to the backup", settings.getId(), cause);
            FailoverReport failover = null;
            String error = null;
            try
            {
                if (settings.getTakeover().getReleaseCommand().isEmpty())
                {
                    throw new IllegalStateException("node.takeover.releaseCommand is not set: this node cannot give " +
                        "the service address up, so it cannot hand over");
                }
                relay.freeze();
                final long releaseNs = System.nanoTime();
                Commands.run(settings.getTakeover().getReleaseCommand(), "releasing the service address");
                LOG.info("[{}] relay frozen and service address released ({} ms): asking the backup to take over",
                    settings.getId(), (System.nanoTime() - releaseNs) / 1_000_000);
                failover = new PeerApi(peerApiBase(), apiToken).takeOver(settings.getId(), cause,
                    Duration.ofMillis(settings.getTakeover().getCatchUpTimeoutMs() + 15_000));
            }
            catch (final IOException | RuntimeException ex)
            {
                failover = new PeerApi(peerApiBase(), apiToken).servesNow(settings.getId()).orElse(null);
                if (failover == null)
                {
                    error = ex.getMessage();
                    LOG.error("[{}] the backup did not take over ({}): the app's closes reach the clients",
                        settings.getId(), error);
                    rollBack(relay);
                    app.passHeldCloses();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                error = "interrupted";
            }
            final long handoverMs = java.time.Duration.between(failure.at(), Instant.now()).toMillis();
            String restart = null;
            if (error == null)
            {
                restart = restartApp();
                error = becomeBackup(relay);
            }
            lastAppFailure = new AppFailureReport(failure.at().toString(), failure.kind(), failure.description(),
                failover == null ? "not handed over" : "handed over", error, handoverMs, restart, failover);
            LOG.warn("[{}] after the app failure: {}", settings.getId(), lastAppFailure);
        }
    }

    /** Runs node.app.restartCommand after a handover; returns what it did. */
    private String restartApp()
    {
        final java.util.List<String> command = settings.getApp().getRestartCommand();
        if (command.isEmpty())
        {
            return "no node.app.restartCommand: the app is not restarted here, and this node protects nothing " +
                "until it is";
        }
        try
        {
            final String output = Commands.run(command, "restarting the app", settings.getApp().getRestartTimeoutMs());
            app.restart();
            LOG.info("[{}] app restarted: {}", settings.getId(), output);
            return "restarted: " + output;
        }
        catch (final IOException ex)
        {
            LOG.error("[{}] could not restart the app: {}", settings.getId(), ex.getMessage());
            return "restart failed: " + ex.getMessage();
        }
    }

    /** The relay thread died: this node must not heartbeat on as a healthy primary. */
    private void onRelayDied(final Throwable failure)
    {
        if (role == Role.PRIMARY && wrapper != null)
        {
            LOG.error("[{}] the relay thread died ({}): exiting, so the supervisor releases the service address and " +
                "the backup takes over", settings.getId(), failure.toString());
            exitNow(70);
        }
    }

    /**
     * Exits at once, without shutdown hooks (they could block a node out of memory), after the logs are written:
     * Dropwizard's appenders are asynchronous, and the line that says why the node exits must not be lost.
     */
    static void exitNow(final int status)
    {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logging)
        {
            logging.stop(); // drains the asynchronous appenders
        }
        Runtime.getRuntime().halt(status);
    }

    private void onRelayStalled(final String why)
    {
        app.onRelayStalled(why);
    }

    /** Fault injection (node.faultInjection, lab only): the relay thread dies as if it had run out of memory. */
    public void injectRelayFailure()
    {
        if (!settings.isFaultInjection())
        {
            throw new IllegalStateException("fault injection is off on this node (node.faultInjection: false)");
        }
        final PrimaryWrapper relay = wrapper;
        if (relay == null)
        {
            throw new IllegalStateException("this node (" + settings.getId() + ") relays nothing: it is " + role);
        }
        LOG.warn("[{}] fault injection: killing the relay thread in 200 ms", settings.getId());
        // Later, not now: the node exits at once when its relay dies, and the request must get its answer first.
        java.util.concurrent.CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)
            .execute(() -> relay.injectFailure(new OutOfMemoryError("injected by POST /faults/relay-error")));
    }

    /** The peer's node id, as its own status says; else from the view; else its address. */
    private String peerIdOr(final PeerApi peer) throws InterruptedException
    {
        try
        {
            final String id = peer.status(Duration.ofSeconds(2)).path("nodeId").asText("");
            if (!id.isEmpty())
            {
                return id;
            }
        }
        catch (final IOException ex)
        {
            LOG.warn("[{}] cannot read the peer's status at {}: {}", settings.getId(), peer.base(), ex.getMessage());
        }
        return view().flatMap(v -> v.members().stream().filter(m -> !m.equals(settings.getId())).findFirst())
            .orElse(peer.base().getHost());
    }

    /** Crash drill: no heartbeat from here until the backup serves (or 30 s pass). */
    private FailoverReport awaitCrashTakeover(final PeerApi peer, final Instant started)
        throws IOException, InterruptedException
    {
        membership.discardAll(true);
        try
        {
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline)
            {
                Thread.sleep(100);
                final com.fasterxml.jackson.databind.JsonNode status;
                try
                {
                    status = peer.status(Duration.ofSeconds(2));
                }
                catch (final IOException ex)
                {
                    continue; // busy taking over
                }
                final com.fasterxml.jackson.databind.JsonNode last = status.path("lastFailover");
                if ("PRIMARY".equals(status.path("role").asText()) && !last.isMissingNode() && !last.isNull() &&
                    Instant.parse(last.path("at").asText()).isAfter(started))
                {
                    return PeerApi.failoverReport(last);
                }
            }
            throw new IOException("the backup at " + peer.base() + " did not take over within 30 s");
        }
        finally
        {
            membership.discardAll(false);
        }
    }

    /** The drill failed before the backup served: take the address back and move bytes again. */
    private void rollBack(final PrimaryWrapper relay)
    {
        try
        {
            Commands.run(settings.getTakeover().getClaimCommand(), "claiming the service address back");
        }
        catch (final IOException ex)
        {
            LOG.error("[{}] could not claim the service address back: {}", settings.getId(), ex.getMessage());
        }
        relay.thaw();
    }

    /** After the backup took over: give the sockets up silently and become the backup. Returns an error or null. */
    private String becomeBackup(final PrimaryWrapper relay)
    {
        try
        {
            relay.abandon(io.understudy.backup.repair.TcpRepair::closeSilently);
            wrapper = null;
            readLog.close();
            readLog = ReadLog.NONE;
            role = Role.BACKUP;
            startLogger();
            tapper = BackupTapper.start(tapConfig(), eventLog);
            LOG.warn("[{}] now BACKUP: the other node serves", settings.getId());
            return null;
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.error("[{}] the backup serves, but this node could not become its backup", settings.getId(), ex);
            return "the backup serves, but this node could not become its backup: " + ex.getMessage();
        }
    }

    private java.net.URI peerApiBase()
    {
        return java.net.URI.create("http://" + peerHost("no peer in node.membership.peers other than this node " +
            "to hand the service to") + ":" + settings.getApiPort() + "/");
    }

    /** Whether the service address is one of this host's addresses now. */
    public boolean holdsServiceAddress()
    {
        return probe.isLocal();
    }

    public Optional<DrillReport> lastDrill()
    {
        return Optional.ofNullable(lastDrill);
    }

    @Override
    public void stop() throws IOException
    {
        decisions.shutdownNow();
        watchdog.close();
        if (app != null)
        {
            app.close();
        }
        closeAll();
        LOG.info("[{}] stopped", settings.getId());
    }

    private void closeAll() throws IOException
    {
        if (membership != null)
        {
            membership.close();
        }
        final PrimaryWrapper currentWrapper = wrapper;
        if (currentWrapper != null)
        {
            currentWrapper.close();
        }
        readLog.close();
        final BackupTapper currentTapper = tapper;
        if (currentTapper != null)
        {
            currentTapper.close();
        }
        final LogServer currentServer = logServer;
        if (currentServer != null)
        {
            currentServer.close();
        }
        final EventLog currentLog = eventLog;
        if (currentLog != null)
        {
            currentLog.close();
        }
        try
        {
            decisions.awaitTermination(1, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    public NodeSettings settings()
    {
        return settings;
    }

    /** The role now: the configured one until a takeover (or a start that found the service held elsewhere). */
    public Role role()
    {
        return role;
    }

    public Optional<MembershipView> view()
    {
        return Optional.ofNullable(membership).map(Membership::view);
    }

    public long heartbeatAgeMs()
    {
        return membership == null ? -1 : membership.millisSincePeerHeard();
    }

    /** Why the last takeover attempt failed, if it did: the node is then neither serving nor tapping. */
    public Optional<String> takeoverFailure()
    {
        return Optional.ofNullable(takeoverFailure);
    }

    public Optional<FailoverReport> lastFailover()
    {
        return Optional.ofNullable(lastFailover);
    }

    /** The relay, while this node is primary. */
    public Optional<PrimaryWrapper> wrapper()
    {
        return Optional.ofNullable(wrapper);
    }

    public Optional<TapStats> tapStats()
    {
        return Optional.ofNullable(tapper).map(BackupTapper::stats);
    }

    /** The read log the primary ships, while this node is primary. */
    public Optional<ReadLogStats> readLogStats()
    {
        return wrapper().map(PrimaryWrapper::readLogStats);
    }

    /** The logger this node runs (as the backup), if it runs one. */
    public Optional<LogServerStats> loggerStats()
    {
        return Optional.ofNullable(logServer).map(LogServer::stats);
    }

    /** The connections the relay moves now, while this node is primary. */
    public Optional<java.util.List<io.understudy.primary.RelayedConnection>> relayedConnections()
        throws IOException, InterruptedException
    {
        final PrimaryWrapper relay = wrapper;
        return relay == null ? Optional.empty() : Optional.of(relay.connections());
    }

    /** The connections the tap tracks now, while this node is backup. */
    public Optional<java.util.List<io.understudy.backup.TapConnection>> tappedConnections()
        throws IOException, InterruptedException
    {
        final BackupTapper tap = tapper;
        return tap == null ? Optional.empty() : Optional.of(tap.connections());
    }

    /** This node's app, as it watches it; empty before start. */
    public Optional<io.understudy.admin.api.AppStatus> appStatus()
    {
        return Optional.ofNullable(app).map(AppSupervisor::status);
    }

    /** What this node did the last time its app failed while it was primary. */
    public Optional<AppFailureReport> lastAppFailure()
    {
        return Optional.ofNullable(lastAppFailure);
    }

    public Optional<RelayStats> relayStats()
    {
        return wrapper().map(PrimaryWrapper::stats);
    }
}
