package io.understudy.admin.cluster;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.Mac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BFD-like heartbeat beside the JGroups view: each node sends the other a 40-byte UDP packet every interval (20 ms
 * by default) from a thread of its own, and a second thread receives. Both threads run at nice -10 when the host
 * allows it, so a loaded host's ordinary threads hardly delay a beat; the JGroups heartbeat, whose threads compete
 * with everything else at the same weight, was lost for 200-300 ms at a time under the lab's load. The backup reads the silence: once the
 * peer has been heard and then not for lostAfterMs, the listener is told (on a thread of its own, never on the
 * heartbeat's), and again when it is heard once more.
 * <p>
 * Nothing a stranger sends counts: a packet is accepted only from the configured peer's address, with the pair's
 * HMAC-SHA256 (key derived from the membership key, truncated to 16 bytes) over its header, naming that address as
 * its sender, and with a sequence number above the last accepted one (it starts at the sender's clock in ms shifted
 * by 20 bits, so a packet replayed from an earlier run is older). Packet: "USHB", version 1, 3 zero bytes, the
 * sender's IPv4 address and port, 2 zero bytes, the sequence number (8 bytes, big-endian), the MAC.
 */
public final class FastHeartbeat implements AutoCloseable {
    /** What the backup does with the silence. */
    public interface Listener {
        /** The peer, heard before, has been silent for {@code silentMs}. */
        void onSilent(long silentMs);

        /** The peer is heard again after a silence that was reported. */
        void onHeardAgain();
    }

    static final int MAGIC = 0x55534842;
    static final int VERSION = 1;
    static final int HEADER_BYTES = 24;
    static final int MAC_BYTES = 16;
    static final int PACKET_BYTES = HEADER_BYTES + MAC_BYTES;
    private static final Logger LOG = LoggerFactory.getLogger(FastHeartbeat.class);

    private final String nodeId;
    private final InetSocketAddress self;
    private final InetSocketAddress peer;
    private final byte[] key;
    private final long intervalNs;
    private final long lostAfterNs;
    private final Listener listener;
    private final DatagramSocket socket;
    private final ExecutorService notifier;
    private final Thread sender;
    private final Thread receiver;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile long lastHeardNs;
    private volatile boolean heard;
    private volatile boolean closed;
    private volatile boolean muted;
    private volatile String realtime = "not yet";
    private volatile String lastRejection;
    // Receiver thread only.
    private long lastSeq;
    private boolean silenceReported;

    private FastHeartbeat(
            final String nodeId,
            final InetSocketAddress self,
            final InetSocketAddress peer,
            final byte[] key,
            final long intervalMs,
            final long lostAfterMs,
            final Listener listener)
            throws IOException {
        this.nodeId = nodeId;
        this.self = self;
        this.peer = peer;
        this.key = key.clone();
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.lostAfterNs = TimeUnit.MILLISECONDS.toNanos(lostAfterMs);
        this.listener = listener != null
                ? listener
                : new Listener() {
                    @Override
                    public void onSilent(final long silentMs) {}

                    @Override
                    public void onHeardAgain() {}
                };
        this.socket = new DatagramSocket(self);
        this.socket.setSoTimeout((int) Math.max(1, intervalMs));
        this.notifier = Executors.newSingleThreadExecutor(runnable -> {
            final Thread thread = new Thread(runnable, "fast-heartbeat-" + nodeId + "-notify");
            thread.setDaemon(true);
            return thread;
        });
        this.sender = new Thread(this::send, "fast-heartbeat-" + nodeId + "-send");
        this.receiver = new Thread(this::receive, "fast-heartbeat-" + nodeId + "-receive");
        sender.setDaemon(true);
        receiver.setDaemon(true);
    }

    /**
     * Binds {@code self} (UDP) and starts beating to {@code peer} every {@code intervalMs}; a peer heard and then
     * silent for {@code lostAfterMs} is reported to {@code listener} (null: to no one, for a node that only beats).
     * {@code membershipKey} is the pair's
     * membership key (32 bytes).
     *
     * @throws IOException when {@code self} cannot be bound.
     * @throws IllegalArgumentException for a bad interval, timeout or key.
     */
    public static FastHeartbeat start(
            final String nodeId,
            final InetSocketAddress self,
            final InetSocketAddress peer,
            final byte[] membershipKey,
            final long intervalMs,
            final long lostAfterMs,
            final Listener listener)
            throws IOException {
        if (intervalMs < 1 || lostAfterMs < 2 * intervalMs) {
            throw new IllegalArgumentException("fast heartbeat: intervalMs=" + intervalMs + " must be at least 1 and "
                    + "lostAfterMs=" + lostAfterMs + " at least two intervals");
        }
        if (membershipKey == null || membershipKey.length != MembershipConfig.KEY_BYTES) {
            throw new IllegalArgumentException(
                    "fast heartbeat: the membership key must be " + MembershipConfig.KEY_BYTES + " bytes");
        }
        if (self.getAddress().getAddress().length != 4 || peer.getAddress().getAddress().length != 4) {
            throw new IllegalArgumentException("fast heartbeat: IPv4 addresses only, got " + self + " and " + peer);
        }
        final FastHeartbeat heartbeat = new FastHeartbeat(
                nodeId, self, peer, MembershipKeys.fastHeartbeatKey(membershipKey), intervalMs, lostAfterMs, listener);
        heartbeat.receiver.start();
        heartbeat.sender.start();
        LOG.info(
                "[{}] fast heartbeat on udp {} to {}: every {} ms, silent after {} ms",
                nodeId,
                self,
                peer,
                intervalMs,
                lostAfterMs);
        return heartbeat;
    }

    /** Milliseconds since the peer's last accepted packet, or -1 when none ever came. */
    public long millisSincePeerHeard() {
        return heard ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastHeardNs) : -1;
    }

    /** Whether an authenticated beat from the peer arrived after {@code sinceNs} (a System.nanoTime() value). */
    public boolean heardSince(final long sinceNs) {
        return heard && lastHeardNs - sinceNs > 0;
    }

    /** True once the peer was heard and has been silent for lostAfterMs since. */
    public boolean isPeerSilent() {
        return heard && System.nanoTime() - lastHeardNs >= lostAfterNs;
    }

    /** Crash drills: while muted, no beat leaves this node (as if it had crashed); receiving goes on. */
    public void mute(final boolean on) {
        muted = on;
    }

    public long sent() {
        return sent.get();
    }

    public long accepted() {
        return accepted.get();
    }

    /** Packets refused: not from the peer, malformed, a wrong MAC, or a replay. */
    public long rejected() {
        return rejected.get();
    }

    /** Why the last packet was refused, null if none was. */
    public String lastRejection() {
        return lastRejection;
    }

    /** "nice -10" when the threads got it, else why not (or "not yet"). */
    public String realtime() {
        return realtime;
    }

    private void send() {
        final String why = io.understudy.backup.ThreadPriority.raiseCurrentThread();
        realtime = why == null ? "nice " + io.understudy.backup.ThreadPriority.NICE : why;
        if (why != null) {
            LOG.warn("[{}] fast heartbeat: sender not raised: {}; a loaded host may delay its beats", nodeId, why);
        }
        long seq = System.currentTimeMillis() << 20;
        long nextNs = System.nanoTime();
        final Mac mac = newMac();
        final byte[] packet = new byte[PACKET_BYTES];
        final DatagramPacket datagram = new DatagramPacket(packet, PACKET_BYTES, peer);
        while (!closed) {
            header(packet, self, ++seq);
            sign(mac, packet);
            try {
                if (!muted) {
                    socket.send(datagram);
                    sent.incrementAndGet();
                }
            } catch (final IOException ex) {
                if (closed) {
                    return;
                }
                LOG.debug("[{}] fast heartbeat: send failed: {}", nodeId, ex.toString());
            }
            nextNs += intervalNs;
            final long nowNs = System.nanoTime();
            if (nextNs - nowNs < 0) {
                nextNs = nowNs + intervalNs; // late (a pause): no burst of make-up beats
            }
            LockSupport.parkNanos(nextNs - nowNs);
        }
    }

    private void receive() {
        final String why = io.understudy.backup.ThreadPriority.raiseCurrentThread();
        if (why != null) {
            realtime = why;
        }
        final Mac mac = newMac();
        final byte[] buffer = new byte[PACKET_BYTES + 1];
        final DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
        while (!closed) {
            try {
                datagram.setLength(buffer.length);
                socket.receive(datagram);
                final String refused = check(mac, datagram);
                if (refused == null) {
                    lastHeardNs = System.nanoTime();
                    heard = true;
                    accepted.incrementAndGet();
                    if (silenceReported) {
                        silenceReported = false;
                        notifier.execute(listener::onHeardAgain);
                    }
                } else {
                    rejected.incrementAndGet();
                    lastRejection = refused;
                }
            } catch (final SocketTimeoutException quiet) {
                // nothing this interval: the silence check below
            } catch (final IOException ex) {
                if (closed) {
                    return;
                }
                LOG.debug("[{}] fast heartbeat: receive failed: {}", nodeId, ex.toString());
            }
            if (heard && !silenceReported) {
                final long silentNs = System.nanoTime() - lastHeardNs;
                if (silentNs >= lostAfterNs) {
                    silenceReported = true;
                    final long silentMs = TimeUnit.NANOSECONDS.toMillis(silentNs);
                    notifier.execute(() -> listener.onSilent(silentMs));
                }
            }
        }
    }

    /** Null when the datagram is the peer's next beat, else why it is refused. */
    String check(final Mac mac, final DatagramPacket datagram) {
        if (!peer.equals(datagram.getSocketAddress())) {
            return "from " + datagram.getSocketAddress() + ", not the peer " + peer;
        }
        if (datagram.getLength() != PACKET_BYTES) {
            return datagram.getLength() + " bytes, expected " + PACKET_BYTES;
        }
        final byte[] packet =
                Arrays.copyOfRange(datagram.getData(), datagram.getOffset(), datagram.getOffset() + PACKET_BYTES);
        final byte[] expected = Arrays.copyOf(macOf(mac, packet), MAC_BYTES);
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(packet, HEADER_BYTES, PACKET_BYTES))) {
            return "bad MAC (not the pair's key)";
        }
        final ByteBuffer header = ByteBuffer.wrap(packet, 0, HEADER_BYTES);
        if (header.getInt() != MAGIC || header.get() != VERSION) {
            return "not a version " + VERSION + " fast heartbeat";
        }
        header.position(8);
        final byte[] sender = new byte[4];
        header.get(sender);
        final int senderPort = Short.toUnsignedInt(header.getShort());
        header.getShort();
        if (!Arrays.equals(sender, peer.getAddress().getAddress()) || senderPort != peer.getPort()) {
            return "names another sender than the peer " + peer;
        }
        final long seq = header.getLong();
        if (seq <= lastSeq) {
            return "seq " + seq + " not above the last accepted " + lastSeq + " (a replay)";
        }
        lastSeq = seq;
        return null;
    }

    static void header(final byte[] packet, final InetSocketAddress sender, final long seq) {
        final ByteBuffer header = ByteBuffer.wrap(packet, 0, HEADER_BYTES);
        header.putInt(MAGIC).put((byte) VERSION).put((byte) 0).put((byte) 0).put((byte) 0);
        header.put(sender.getAddress().getAddress())
                .putShort((short) sender.getPort())
                .putShort((short) 0);
        header.putLong(seq);
    }

    void sign(final Mac mac, final byte[] packet) {
        System.arraycopy(macOf(mac, packet), 0, packet, HEADER_BYTES, MAC_BYTES);
    }

    private static byte[] macOf(final Mac mac, final byte[] packet) {
        mac.update(packet, 0, HEADER_BYTES);
        return mac.doFinal();
    }

    Mac newMac() {
        return MembershipKeys.newMac(key);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        socket.close();
        LockSupport.unpark(sender);
        try {
            sender.join(1000);
            receiver.join(1000);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        notifier.shutdownNow();
        LOG.info(
                "[{}] fast heartbeat closed: sent {}, accepted {}, rejected {}",
                nodeId,
                sent.get(),
                accepted.get(),
                rejected.get());
    }
}
