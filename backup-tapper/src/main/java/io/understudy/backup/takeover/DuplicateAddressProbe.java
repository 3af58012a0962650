package io.understudy.backup.takeover;

import io.understudy.backup.capture.ArpCapture;
import io.understudy.backup.capture.ArpFrames;
import io.understudy.backup.capture.Ipv4;
import io.understudy.backup.capture.PcapFrames;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;

/**
 * Duplicate address detection before a claim (RFC 5227 2.1.1): asks the LAN who has an IPv4 address with ARP probes
 * and listens for any host that answers for it, or probes for it too. A node claims the service address only when
 * this finds nobody, so the LAN never has two holders of it.
 *
 * <p>The timing is ours, not the RFC's (1 to 3 s): a host on the same segment answers within a millisecond, and a
 * takeover cannot wait seconds. The probes are spread evenly over the wait, the first at once, so one lost frame
 * does not hide a holder.
 */
public final class DuplicateAddressProbe {
    /** Probes a claim sends by default. */
    public static final int DEFAULT_PROBES = 2;
    /** How long a claim listens by default, from the first probe. */
    public static final Duration DEFAULT_WAIT = Duration.ofMillis(100);

    private DuplicateAddressProbe() {}

    /**
     * What a probe found.
     *
     * @param interfaceName  where it probed.
     * @param address        the address probed, dotted IPv4.
     * @param conflictingMac the MAC ("aa:bb:cc:dd:ee:ff") of the first other host that has or probes for the
     *                       address; empty when none answered within the wait.
     * @param probesSent     probes sent before the answer or the end of the wait.
     * @param took           from opening the capture to the answer or the end of the wait.
     */
    public record Result(
            String interfaceName, String address, Optional<String> conflictingMac, int probesSent, Duration took) {
        public Result {
            Objects.requireNonNull(conflictingMac, "conflictingMac");
        }

        /** True when another host has or wants the address: claiming it now would make two holders. */
        public boolean hasConflict() {
            return conflictingMac.isPresent();
        }
    }

    /** {@link #probe(String, String, int, Duration)} with {@link #DEFAULT_PROBES} and {@link #DEFAULT_WAIT}. */
    public static Result probe(final String interfaceName, final String address)
            throws IOException, InterruptedException {
        return probe(interfaceName, address, DEFAULT_PROBES, DEFAULT_WAIT);
    }

    /**
     * Sends {@code probes} ARP probes for {@code address} on {@code interfaceName} and listens until {@code wait} has
     * passed, or less: it returns at the first conflict. Frames that are not ARP for IPv4, are cut short, or come from
     * this interface's own MAC never count as a conflict. Blocks the caller for at most about {@code wait}.
     *
     * @throws IOException          when the interface does not exist, is not Ethernet, capture or sending is not
     *                              permitted (CAP_NET_RAW), or the capture fails; the address is then unknown.
     * @throws InterruptedException when the caller is interrupted while it listens.
     */
    public static Result probe(final String interfaceName, final String address, final int probes, final Duration wait)
            throws IOException, InterruptedException {
        if (probes < 1 || wait.isNegative() || wait.isZero()) {
            throw new IllegalArgumentException(
                    "a probe needs probes >= 1 and a positive wait: probes=" + probes + ", wait=" + wait);
        }
        final int target = Ipv4.ipv4(address);
        final byte[] ourMac = ArpCapture.hardwareAddress(interfaceName);
        final byte[] probe = ArpFrames.probe(ourMac, target);
        final long startNs = System.nanoTime();
        try (PcapHandle handle = ArpCapture.openArp(interfaceName)) {
            final PcapFrames frames = new PcapFrames(handle);
            final long waitNs = wait.toNanos();
            final IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 100_000);
            int sent = 0;
            while (true) {
                final long elapsedNs = System.nanoTime() - startNs;
                int work = 0;
                if (sent < probes && elapsedNs >= sent * (waitNs / probes)) {
                    handle.sendPacket(probe);
                    sent++;
                    work++;
                }
                final String conflict = pollConflict(frames, target, ourMac);
                if (conflict != null || elapsedNs >= waitNs) {
                    return new Result(
                            interfaceName,
                            address,
                            Optional.ofNullable(conflict),
                            sent,
                            Duration.ofNanos(System.nanoTime() - startNs));
                }
                idle.idle(work);
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while probing " + address + " on " + interfaceName);
                }
            }
        } catch (final PcapNativeException | NotOpenException ex) {
            throw new IOException(
                    "probing " + address + " on interface '" + interfaceName + "' failed: " + ex.getMessage(), ex);
        }
    }

    /** Reads every frame the capture holds now; the first conflict's MAC, or null. */
    private static String pollConflict(final PcapFrames frames, final int address, final byte[] ourMac)
            throws NotOpenException {
        byte[] frame;
        while ((frame = frames.next()) != null) {
            final String conflict = ArpFrames.conflictWhileProbing(frame, frame.length, address, ourMac);
            if (conflict != null) {
                return conflict;
            }
        }
        return null;
    }
}
