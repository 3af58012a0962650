package io.understudy.backup.capture;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A passive watch for another holder of an address this host holds: on a daemon thread of its own, reads the
 * interface's ARP and tells a listener of every frame in which another MAC says it has the address. The primary
 * runs it on the VIP to learn that a second host claims it (a backup that took over wrongly, a misconfigured host).
 * Sends nothing.
 */
public final class ArpConflictWatch implements AutoCloseable {
    /** The least time between two reports of the same MAC. */
    public static final long REPORT_INTERVAL_NS = 100_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(ArpConflictWatch.class);
    private static final int FRAMES_PER_DUTY_CYCLE = 64;

    /** Told of another holder of the watched address. */
    @FunctionalInterface
    public interface Listener {
        /**
         * Another host said it has the address. Called on the watch's thread, at most once per
         * {@link #REPORT_INTERVAL_NS} per MAC; it should return quickly, since frames wait meanwhile.
         *
         * @param otherMac the other host's MAC, "aa:bb:cc:dd:ee:ff".
         * @param at       when the watch read the frame.
         */
        void onConflict(String otherMac, Instant at);
    }

    /**
     * How long the watch sleeps when the capture held nothing. ARP is rare and the capture's buffer holds hundreds of
     * frames, so 10 ms costs nothing in coverage and a little in how soon a conflict is seen; 1 ms cost the primary
     * 6 % of a core under the lab's load (top -H), on a host whose relay needs every cycle.
     */
    public static final long IDLE_SLEEP_MS = 10;

    private final String nodeId;
    private final String interfaceName;
    private final String address;
    private final AgentRunner runner;
    private volatile long conflictsReported;
    private volatile long errors;

    private ArpConflictWatch(
            final String nodeId,
            final String interfaceName,
            final String address,
            final PcapHandle handle,
            final byte[] ourMac,
            final Listener listener) {
        this.nodeId = nodeId;
        this.interfaceName = interfaceName;
        this.address = address;
        final WatchAgent agent = new WatchAgent(handle, Ipv4.ipv4(address), ourMac, listener, Clock.systemUTC());
        this.runner = new AgentRunner(new SleepingMillisIdleStrategy(IDLE_SLEEP_MS), this::onError, null, agent);
    }

    /**
     * Starts watching {@code interfaceName} for other hosts that claim {@code address} (dotted IPv4); frames from the
     * interface's own MAC never count.
     *
     * @throws IOException when the interface does not exist, is not Ethernet, or capture is not permitted
     *                     (CAP_NET_RAW); nothing is started then.
     */
    public static ArpConflictWatch start(
            final String nodeId, final String interfaceName, final String address, final Listener listener)
            throws IOException {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(listener, "listener");
        Ipv4.ipv4(address);
        final byte[] ourMac = ArpCapture.hardwareAddress(interfaceName);
        final ArpConflictWatch watch = new ArpConflictWatch(
                nodeId, interfaceName, address, ArpCapture.openArp(interfaceName), ourMac, listener);
        AgentRunner.startOnThread(watch.runner, runnable -> {
            final Thread thread = new Thread(runnable);
            thread.setDaemon(true); // a watch left open must not keep the JVM alive
            return thread;
        });
        LOG.info("[{}] watching {} for other holders of {}", nodeId, interfaceName, address);
        return watch;
    }

    /** Conflicts passed to the listener so far. */
    public long conflictsReported() {
        return conflictsReported;
    }

    /** Capture and listener errors so far; each is logged. */
    public long errors() {
        return errors;
    }

    /** Stops the thread, then closes its capture; the listener is not called after this returns. */
    @Override
    public void close() {
        runner.close();
        LOG.info(
                "[{}] stopped watching {} for other holders of {}: {} conflicts reported, {} errors",
                nodeId,
                interfaceName,
                address,
                conflictsReported,
                errors);
    }

    private void onError(final Throwable error) {
        errors++;
        LOG.error("[{}] ARP watch on {} error", nodeId, interfaceName, error);
    }

    /** The watch's duty cycle: reads what the capture holds (never blocks) and reports other holders. */
    private final class WatchAgent implements Agent {
        private final PcapHandle handle;
        private final PcapFrames frames;
        private final int target;
        private final byte[] ourMac;
        private final Listener listener;
        private final Clock clock;
        private final SystemNanoClock nanoClock = new SystemNanoClock();
        private final ConflictThrottle throttle = new ConflictThrottle(REPORT_INTERVAL_NS);

        WatchAgent(
                final PcapHandle handle,
                final int target,
                final byte[] ourMac,
                final Listener listener,
                final Clock clock) {
            this.handle = handle;
            this.frames = new PcapFrames(handle);
            this.target = target;
            this.ourMac = ourMac;
            this.listener = listener;
            this.clock = clock;
        }

        @Override
        public int doWork() throws NotOpenException {
            final long nowNs = nanoClock.nanoTime();
            int work = 0;
            byte[] frame;
            while (work < FRAMES_PER_DUTY_CYCLE && (frame = frames.next()) != null) {
                work++;
                final String claimant = ArpFrames.claimant(frame, frame.length, target, ourMac);
                if (claimant != null && throttle.tryReport(claimant, nowNs)) {
                    conflictsReported++;
                    listener.onConflict(claimant, clock.instant());
                }
            }
            return work;
        }

        /** On the watch's thread, once it has stopped: libpcap is not to be called from two. */
        @Override
        public void onClose() {
            handle.close();
        }

        @Override
        public String roleName() {
            return "arp-watch-" + nodeId;
        }
    }
}
