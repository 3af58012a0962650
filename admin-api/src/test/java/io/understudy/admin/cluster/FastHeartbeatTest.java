package io.understudy.admin.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fast heartbeat on real UDP sockets on loopback: heard, silence reported and healed, strangers refused. */
class FastHeartbeatTest {
    private static final byte[] KEY = new byte[MembershipConfig.KEY_BYTES];
    private static final long INTERVAL_MS = 10;
    private static final long LOST_AFTER_MS = 60;

    static {
        Arrays.fill(KEY, (byte) 7);
    }

    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final FastHeartbeat.Listener recorder = new FastHeartbeat.Listener() {
        @Override
        public void onSilent(final long silentMs) {
            events.add("silent " + silentMs);
        }

        @Override
        public void onHeardAgain() {
            events.add("heard again");
        }
    };
    private FastHeartbeat a;
    private FastHeartbeat b;

    @AfterEach
    void close() {
        for (final FastHeartbeat heartbeat : new FastHeartbeat[] {a, b}) {
            if (heartbeat != null) {
                heartbeat.close();
            }
        }
    }

    @Test
    void shouldHearThePeerReportItsSilenceOnceAndItsReturn() throws Exception {
        final InetSocketAddress atA = freeAddress();
        final InetSocketAddress atB = freeAddress();
        a = FastHeartbeat.start("a", atA, atB, KEY, INTERVAL_MS, LOST_AFTER_MS, recorder);
        b = FastHeartbeat.start("b", atB, atA, KEY, INTERVAL_MS, LOST_AFTER_MS, (FastHeartbeat.Listener) null);
        awaitAccepted(a, 5);
        assertThat(a.millisSincePeerHeard()).isBetween(0L, 1000L);
        assertThat(a.isPeerSilent()).isFalse();
        assertThat(a.rejected()).isZero();

        b.close();
        final String silent = events.poll(5, TimeUnit.SECONDS);
        assertThat(silent).as("the silence reported").startsWith("silent ");
        assertThat(Long.parseLong(silent.substring(7))).isGreaterThanOrEqualTo(LOST_AFTER_MS);
        assertThat(a.isPeerSilent()).isTrue();
        Thread.sleep(5 * LOST_AFTER_MS);
        assertThat(events).as("reported once per silence").isEmpty();

        b = FastHeartbeat.start("b", atB, atA, KEY, INTERVAL_MS, LOST_AFTER_MS, (FastHeartbeat.Listener) null);
        assertThat(events.poll(5, TimeUnit.SECONDS))
                .as("a restarted peer (a later clock) is heard")
                .isEqualTo("heard again");
        assertThat(a.isPeerSilent()).isFalse();
    }

    @Test
    void shouldRefuseStrangersWrongKeysOtherSendersAndReplays() throws Exception {
        final InetSocketAddress atA = freeAddress();
        try (DatagramSocket peer = new DatagramSocket(freeAddress());
                DatagramSocket stranger = new DatagramSocket(freeAddress())) {
            final InetSocketAddress atPeer = (InetSocketAddress) peer.getLocalSocketAddress();
            a = FastHeartbeat.start("a", atA, atPeer, KEY, INTERVAL_MS, LOST_AFTER_MS, recorder);
            final byte[] wrongKey = KEY.clone();
            wrongKey[0] ^= 1;

            stranger.send(new DatagramPacket(packet(KEY, atPeer, 100), FastHeartbeat.PACKET_BYTES, atA));
            awaitRejected(a, 1);
            assertThat(a.lastRejection()).contains("not the peer");
            peer.send(new DatagramPacket(packet(wrongKey, atPeer, 101), FastHeartbeat.PACKET_BYTES, atA));
            awaitRejected(a, 2);
            assertThat(a.lastRejection()).contains("bad MAC");
            peer.send(new DatagramPacket(
                    packet(KEY, (InetSocketAddress) stranger.getLocalSocketAddress(), 102),
                    FastHeartbeat.PACKET_BYTES,
                    atA));
            awaitRejected(a, 3);
            assertThat(a.lastRejection()).contains("names another sender");
            peer.send(new DatagramPacket(new byte[12], 12, atA));
            awaitRejected(a, 4);
            assertThat(a.lastRejection()).contains("12 bytes");
            assertThat(a.accepted()).as("nothing so far is the peer's beat").isZero();
            assertThat(a.millisSincePeerHeard()).isEqualTo(-1);

            final byte[] beat = packet(KEY, atPeer, 200);
            peer.send(new DatagramPacket(beat, FastHeartbeat.PACKET_BYTES, atA));
            awaitAccepted(a, 1);
            peer.send(new DatagramPacket(beat, FastHeartbeat.PACKET_BYTES, atA));
            awaitRejected(a, 5);
            assertThat(a.lastRejection()).contains("a replay");
            assertThat(a.accepted()).isEqualTo(1);
        }
    }

    private static byte[] packet(final byte[] membershipKey, final InetSocketAddress sender, final long seq)
            throws Exception {
        final byte[] packet = new byte[FastHeartbeat.PACKET_BYTES];
        FastHeartbeat.header(packet, sender, seq);
        final Mac mac = MembershipKeys.newMac(MembershipKeys.fastHeartbeatKey(membershipKey));
        mac.update(packet, 0, FastHeartbeat.HEADER_BYTES);
        System.arraycopy(mac.doFinal(), 0, packet, FastHeartbeat.HEADER_BYTES, FastHeartbeat.MAC_BYTES);
        return packet;
    }

    private static InetSocketAddress freeAddress() throws Exception {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            return (InetSocketAddress) probe.getLocalSocketAddress();
        }
    }

    private static void awaitAccepted(final FastHeartbeat heartbeat, final long count) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (heartbeat.accepted() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(heartbeat.accepted()).as("accepted beats").isGreaterThanOrEqualTo(count);
    }

    private static void awaitRejected(final FastHeartbeat heartbeat, final long count) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (heartbeat.rejected() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(heartbeat.rejected()).as("rejected packets").isEqualTo(count);
    }
}
