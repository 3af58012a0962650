package io.understudy.backup.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.backup.takeover.DuplicateAddressProbe;
import io.understudy.backup.takeover.GratuitousArp;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pcap4j.core.PcapHandle;

/**
 * The probe and the watch on a real capture: the loopback interface, whose MAC is all zeros, with a second handle
 * playing the other host. Addresses are 198.18.12.x, used by no other test; nothing leaves lo.
 */
@Timeout(10)
class ArpOnLoopbackTest {
    private static final byte[] OTHER_MAC = {2, 0, 0, 0, 0, (byte) 0x99};
    private static final byte[] ANOTHER_MAC = {2, 0, 0, 0, 0, (byte) 0x98};

    @Test
    void shouldNameTheInterfaceWhenItDoesNotExist() {
        assertThatThrownBy(() -> DuplicateAddressProbe.probe("nosuchif12", "198.18.12.1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no network interface named 'nosuchif12'");
        assertThatThrownBy(() -> ArpConflictWatch.start("n1", "nosuchif12", "198.18.12.1", (mac, at) -> {}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no network interface named 'nosuchif12'");
    }

    @Test
    void shouldFindNoConflictWhenNobodyAnswers() throws Exception {
        CapturePrivileges.require();

        final DuplicateAddressProbe.Result result =
                DuplicateAddressProbe.probe("lo", "198.18.12.1", 2, Duration.ofMillis(100));

        assertThat(result.hasConflict()).isFalse();
        assertThat(result.probesSent()).isEqualTo(2);
        assertThat(result.took()).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    }

    @Test
    void shouldReportTheHoldersMacWhenAnotherHostAnswersTheProbe() throws Exception {
        CapturePrivileges.require();
        final int address = Ipv4.ipv4("198.18.12.2");
        try (PcapHandle otherHost = ArpCapture.openArp("lo")) {
            final CompletableFuture<Void> answered =
                    CompletableFuture.runAsync(() -> answerFirstProbe(otherHost, address));

            final DuplicateAddressProbe.Result result =
                    DuplicateAddressProbe.probe("lo", "198.18.12.2", 2, Duration.ofSeconds(3));

            answered.get(1, TimeUnit.SECONDS);
            assertThat(result.conflictingMac()).contains("02:00:00:00:00:99");
            assertThat(result.took()).as("returns at the conflict").isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void shouldReportEachOtherHolderOncePerIntervalWhenTheyAnnounceTheAddress() throws Exception {
        CapturePrivileges.require();
        final int address = Ipv4.ipv4("198.18.12.3");
        final List<String> reported = new CopyOnWriteArrayList<>();
        final CompletableFuture<Instant> secondHolder = new CompletableFuture<>();
        final Instant started = Instant.now();
        try (PcapHandle otherHost = ArpCapture.openSendOnly("lo");
                ArpConflictWatch watch = ArpConflictWatch.start("n1", "lo", "198.18.12.3", (mac, at) -> {
                    reported.add(mac);
                    if (mac.equals("02:00:00:00:00:98")) {
                        secondHolder.complete(at);
                    }
                })) {
            otherHost.sendPacket(GratuitousArp.frame(new byte[6], address, GratuitousArp.REPLY)); // ours: lo's MAC
            otherHost.sendPacket(GratuitousArp.frame(OTHER_MAC, Ipv4.ipv4("198.18.12.4"), GratuitousArp.REPLY));
            for (int i = 0; i < 5; i++) {
                otherHost.sendPacket(GratuitousArp.frame(OTHER_MAC, address, GratuitousArp.REPLY));
            }
            otherHost.sendPacket(GratuitousArp.frame(ANOTHER_MAC, address, GratuitousArp.REQUEST));

            assertThat(secondHolder.get(5, TimeUnit.SECONDS)).isBetween(started, Instant.now());
            assertThat(reported).containsExactly("02:00:00:00:00:99", "02:00:00:00:00:98");
            assertThat(watch.conflictsReported()).isEqualTo(2);
        }
    }

    /** The other host: waits for a probe for {@code address} and answers that the address is at its MAC. */
    private static void answerFirstProbe(final PcapHandle otherHost, final int address) {
        try {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() - deadlineNs < 0) {
                final byte[] frame = otherHost.getNextRawPacket();
                if (frame != null && ArpFrames.prober(frame, frame.length, address, OTHER_MAC) != null) {
                    otherHost.sendPacket(ArpFrames.frame(
                            OTHER_MAC, ArpFrames.REPLY, address, new byte[6], Ipv4.ipv4("198.18.12.250")));
                    return;
                }
                Thread.onSpinWait();
            }
            throw new AssertionError("no probe for the address seen within 3 s");
        } catch (final Exception ex) {
            throw new RuntimeException(ex);
        }
    }
}
