package io.understudy.admin.core;

import io.understudy.primary.AppCloseGate;
import io.understudy.primary.PrimaryWrapper;
import io.understudy.primary.ReadLog;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a primary runs: the relay from the service address to the app, the read log it ships, and the relay's lease.
 * The lease is what keeps a paused primary (a VM pause, a long GC, SIGSTOP) from relaying a byte after it resumes
 * before it knows whether it was superseded: a keeper thread renews it every 10 ms; when the keeper itself was held
 * up for longer than the lease, the lease has lapsed, the relay touches no socket, and the keeper asks the verifier
 * (another holder of the address? a peer that is primary at a higher epoch?) before renewing it.
 */
final class PrimaryRole implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrimaryRole.class);
    private static final long TICK_MS = 10;

    private final String nodeId;
    private final PrimaryWrapper relay;
    private final ReadLog readLog;
    private final long leaseNs;
    private final Thread keeper;
    private final String serviceInterface;
    private final Runnable onLinkBack;
    private volatile io.understudy.backup.capture.ArpConflictWatch watch;
    private volatile long leaseUntilNs;
    private volatile boolean revoked;
    private volatile boolean closed;
    private volatile long pausesSeen;

    private PrimaryRole(
            final String nodeId,
            final PrimaryWrapper relay,
            final ReadLog readLog,
            final long leaseNs,
            final LongPredicate verifier,
            final long startNs,
            final String serviceInterface,
            final Runnable onLinkBack) {
        this.serviceInterface = serviceInterface;
        this.onLinkBack = onLinkBack;
        this.nodeId = nodeId;
        this.relay = relay;
        this.readLog = readLog;
        this.leaseNs = leaseNs;
        this.leaseUntilNs = startNs + leaseNs;
        this.keeper = new Thread(() -> keep(verifier), "relay-lease");
        this.keeper.setDaemon(true);
    }

    /**
     * Starts the read log and the relay, with a lease of {@code leaseMs}.
     *
     * @param verifier told how long this node was held up (ms), answers whether it may go on relaying; false means
     *                 it was superseded and is being demoted: the lease stays revoked.
     */
    static PrimaryRole start(
            final NodeWiring wiring,
            final AppCloseGate gate,
            final Consumer<Throwable> onRelayDied,
            final long leaseMs,
            final LongPredicate verifier,
            final io.understudy.backup.capture.ArpConflictWatch.Listener onConflict,
            final Runnable onLinkBack,
            final boolean beforeClaim)
            throws IOException {
        final ReadLog readLog = wiring.startReadLog();
        final PrimaryRole[] role = new PrimaryRole[1];
        final long startNs = System.nanoTime();
        final long leaseNs = leaseMs * 1_000_000L;
        final PrimaryWrapper relay;
        try {
            final long until = startNs + leaseNs; // the lease until the role exists to renew it
            relay = PrimaryWrapper.start(
                    wiring.wrapperConfig(
                                    readLog, gate, nowNs -> role[0] == null ? nowNs - until < 0 : role[0].holds(nowNs))
                            .withFreeBind(beforeClaim),
                    onRelayDied);
        } catch (final IOException | RuntimeException ex) {
            readLog.close();
            throw ex;
        }
        role[0] = new PrimaryRole(
                wiring.id(),
                relay,
                readLog,
                leaseNs,
                verifier,
                startNs,
                wiring.settings().getServiceInterface(),
                onLinkBack);
        role[0].keeper.start();
        try {
            role[0].watch = io.understudy.backup.capture.ArpConflictWatch.start(
                    wiring.id(),
                    wiring.settings().getServiceInterface(),
                    wiring.settings().getServiceAddress(),
                    onConflict);
        } catch (final IOException ex) {
            LOG.warn(
                    "[{}] not watching ARP for another holder of the service address on {}: {}",
                    wiring.id(),
                    wiring.settings().getServiceInterface(),
                    ex.getMessage());
        }
        return role[0];
    }

    private boolean holds(final long nowNs) {
        return !revoked && nowNs - leaseUntilNs < 0;
    }

    private void stopWatching() {
        final io.understudy.backup.capture.ArpConflictWatch running = watch;
        if (running != null) {
            running.close();
        }
    }

    private void keep(final LongPredicate verifier) {
        long lastNs = System.nanoTime();
        long ticks = 0;
        boolean carrier = LinkState.hasCarrier(serviceInterface);
        while (!closed && !revoked) {
            if (++ticks % 10 == 0 && !"lo".equals(serviceInterface)) {
                final boolean now = LinkState.hasCarrier(serviceInterface);
                if (now && !carrier) {
                    LOG.warn("[{}] link {} is back: announcing the service address again", nodeId, serviceInterface);
                    java.util.concurrent.CompletableFuture.runAsync(onLinkBack);
                }
                carrier = now;
            }
            try {
                Thread.sleep(TICK_MS);
            } catch (final InterruptedException ex) {
                return;
            }
            final long nowNs = System.nanoTime();
            final long gapNs = nowNs - lastNs;
            lastNs = nowNs;
            if (gapNs >= leaseNs) {
                pausesSeen++;
                final long heldMs = gapNs / 1_000_000;
                LOG.warn(
                        "[{}] this node was held up for {} ms (paused?): the relay's lease lapsed; checking that "
                                + "no other node took the service over before relaying again",
                        nodeId,
                        heldMs);
                if (!verifier.test(heldMs)) {
                    revoked = true;
                    LOG.warn("[{}] relay lease revoked: this node was superseded", nodeId);
                    return;
                }
                lastNs = System.nanoTime();
                LOG.info("[{}] still the only holder: relaying again", nodeId);
            }
            leaseUntilNs = lastNs + leaseNs;
        }
    }

    /** Stops the relay for good (a demotion): it touches no socket again. */
    void revoke() {
        revoked = true;
    }

    PrimaryWrapper relay() {
        return relay;
    }

    ReadLog readLog() {
        return readLog;
    }

    /** How often the keeper found itself held up for longer than the lease. */
    long pausesSeen() {
        return pausesSeen;
    }

    /** Closes the relay (every socket) and the read log. */
    @Override
    public void close() throws IOException {
        closed = true;
        keeper.interrupt();
        stopWatching();
        try {
            relay.close();
        } finally {
            readLog.close();
        }
    }

    /** After a handover: the relay's sockets were given up silently; only the read log and the keeper remain. */
    void closeAfterHandover() {
        closed = true;
        keeper.interrupt();
        stopWatching();
        readLog.close();
    }
}
