package io.understudy.backup.repair;

import com.sun.jna.Memory;
import io.understudy.primary.TcpInfo;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Linux TCP_REPAIR on JDK socket channels: builds an ESTABLISHED socket with chosen sequence numbers and options
 * and no handshake, as the backup does for every connection at takeover (DESIGN.md, "Takeover"). Needs
 * CAP_NET_ADMIN and {@code --add-opens=java.base/sun.nio.ch=ALL-UNNAMED}; every failed call throws a
 * {@link TcpRepairException} naming the option and the errno.
 */
public final class TcpRepair {
    /** tcp_repair_opt codes (TCPOPT_* of the TCP header). */
    public static final int TCPOPT_MSS = 2;

    public static final int TCPOPT_WINDOW = 3;
    public static final int TCPOPT_SACK_PERM = 4;
    public static final int TCPOPT_TIMESTAMP = 8;

    /** TCP_REPAIR values: on, off (sends a window probe), off without the probe (TCP_REPAIR_OFF_NO_WP). */
    private static final int REPAIR_ON = 1;

    private static final int REPAIR_OFF = 0;
    private static final int REPAIR_OFF_NO_WINDOW_PROBE = -1;
    private static final int MSG_PEEK = 0x2;
    private static final int MSG_DONTWAIT = 0x40;
    /** FIONREAD (SIOCINQ) and TIOCOUTQ (SIOCOUTQ): bytes in the receive queue, and unacknowledged bytes sent or not. */
    private static final long SIOCINQ = 0x541B;

    private static final long SIOCOUTQ = 0x5411;
    /** Send buffer headroom over twice the queued bytes: skb overhead counts against SO_SNDBUF. */
    private static final int SEND_BUFFER_HEADROOM_BYTES = 256 * 1024;

    /** The two queues TCP_REPAIR_QUEUE selects; TCP_QUEUE_SEQ and writes in repair mode act on the selected one. */
    public enum Queue {
        /** TCP_RECV_QUEUE: its sequence is rcv_nxt; writes go into the receive queue as if the peer had sent them. */
        RECV(1),
        /** TCP_SEND_QUEUE: its sequence is write_seq; writes queue bytes as sent and not yet acked. */
        SEND(2);

        final int code;

        Queue(final int code) {
            this.code = code;
        }
    }

    private TcpRepair() {}

    /**
     * Rebuilds one established connection in the order DESIGN.md validated and leaves repair mode (the kernel then
     * sends a window probe). The peer's socket must already exist, else the probe's answer is a RST.
     */
    public static SocketChannel restore(final RestoreSpec spec) throws IOException {
        final SocketChannel channel = prepare(spec);
        try {
            leaveRepair(channel);
            return channel;
        } catch (final IOException | RuntimeException ex) {
            closeAfterFailure(channel, ex);
            throw ex;
        }
    }

    /**
     * Everything {@link #restore(RestoreSpec)} does except leaving repair mode: the socket is ESTABLISHED, sends
     * nothing, and {@link #leaveRepair(SocketChannel)} starts it. For restoring many sockets before any of them
     * speaks. Closes the channel when a step fails.
     */
    public static SocketChannel prepare(final RestoreSpec spec) throws IOException {
        final SocketChannel channel = SocketChannel.open(family(spec.local()));
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            setTransparent(channel, true);
            enterRepair(channel);
            setQueueSeq(channel, Queue.SEND, spec.sendSeq());
            setQueueSeq(channel, Queue.RECV, spec.recvSeq());
            setMaxSegmentSize(channel, spec.mss());
            bindAndConnect(channel, spec);
            setOptions(
                    channel,
                    spec.mss(),
                    spec.sendWindowScale(),
                    spec.recvWindowScale(),
                    spec.sackPermitted(),
                    spec.timestamps());
            if (spec.timestamps()) {
                setTimestamp(channel, spec.timestampValue());
            }
            if (spec.unackedLength() > 0) {
                writeSendQueue(channel, spec.unackedBytesShared());
            }
            if (spec.finSent()) {
                // With the send queue selected, the FIN is queued as already sent (snd_nxt past it), as CRIU's soccr
                // restores a FIN_WAIT socket: the peer's acks of it are then valid, and an unacked one is resent.
                selectQueue(channel, Queue.SEND);
                channel.shutdownOutput();
            }
            if (spec.window() != null) {
                setWindow(channel, spec.window());
            }
            return channel;
        } catch (final IOException | RuntimeException ex) {
            closeAfterFailure(channel, ex);
            throw ex;
        }
    }

    /**
     * Builds and drops {@code rounds} sockets in repair mode on loopback (to the discard port), sending nothing: the
     * repair path is loaded and compiled before a takeover needs it (in a fresh JVM the first build took 317 ms here,
     * the fifth 0.36 ms), and a process that may not use TCP_REPAIR is found at start, not at its first takeover.
     *
     * @return the last build's time in microseconds.
     * @throws IOException when a step is refused (TcpRepairException says which, and whether CAP_NET_ADMIN lacks).
     */
    public static long warmUp(final int rounds) throws IOException {
        return warmUp(rounds, new InetSocketAddress(InetAddress.getLoopbackAddress(), 9));
    }

    private static final byte[] WARM_UP_UNACKED = new byte[100];

    /** {@link #warmUp(int)} with the sockets "connected" to {@code remote} (which hears nothing of them). */
    public static long warmUp(final int rounds, final InetSocketAddress remote) throws IOException {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        long lastNs = 0;
        for (int i = 0; i < rounds; i++) {
            final long startNs = System.nanoTime();
            // As a takeover builds them (DESIGN.md's order): options, unacked bytes in the send queue, the window.
            final SocketChannel channel =
                    prepare(RestoreSpec.of(new InetSocketAddress(loopback, 0), remote, 1_000_000, 2_000_000, 1460)
                            .withWindowScales(7, 7)
                            .withSackPermitted(true)
                            .withTimestamps(1)
                            .withUnackedBytes(WARM_UP_UNACKED)
                            .withWindow(new RepairWindow(2_000_000 - 1, 64_000, 64_000, 64_000, 2_000_000)));
            lastNs = System.nanoTime() - startNs;
            closeSilently(channel);
        }
        return lastNs / 1_000;
    }

    /** TCP_REPAIR=1. Needs CAP_NET_ADMIN. */
    public static void enterRepair(final SocketChannel channel) throws IOException {
        NativeSockets.setInt(channel, SocketOption.TCP_REPAIR, REPAIR_ON);
    }

    /**
     * Closes an established socket without a word to its peer: in repair mode the kernel drops the connection with
     * no FIN and no RST, so the peer's connection lives on for whoever restores it elsewhere (a handover). Needs
     * CAP_NET_ADMIN; the channel is closed even when repair mode is refused (then normally).
     */
    public static void closeSilently(final SocketChannel channel) throws IOException {
        try {
            enterRepair(channel);
        } finally {
            channel.close();
        }
    }

    /**
     * The bytes of one queue of a socket in repair mode, left in place (MSG_PEEK): RECV gives what the peer sent and
     * this side acknowledged but nobody read, SEND what was written and the peer has not acknowledged (sent or not).
     * The first byte is at the queue's sequence number for RECV minus their length ({@link #queueSeq}), and at
     * snd_una for SEND (write_seq minus their length).
     */
    public static byte[] queueBytes(final SocketChannel channel, final Queue queue) throws IOException {
        final int length = NativeSockets.ioctlInt(
                channel, queue == Queue.RECV ? SIOCINQ : SIOCOUTQ, queue == Queue.RECV ? "SIOCINQ" : "SIOCOUTQ");
        if (length <= 0) {
            return new byte[0];
        }
        selectQueue(channel, queue);
        final byte[] bytes = new byte[length];
        final int peeked = NativeSockets.receive(
                channel, bytes, MSG_PEEK | MSG_DONTWAIT, "MSG_PEEK of the " + queue + " queue, " + length + " bytes");
        if (peeked != length) {
            throw new TcpRepairException(
                    "peeking the " + queue + " queue", "got " + peeked + " of its " + length + " bytes", null);
        }
        return bytes;
    }

    /**
     * TCP_REPAIR=0: the socket starts working and sends a window probe to learn the peer's window. SO_REUSEADDR is
     * set again after: leaving repair mode clears it (sk_reuse = SK_NO_REUSE), and a restored socket without it
     * keeps any later listener off its address and port, also as an orphan once its process is gone (a node
     * restarted after a crash could not take the service back: "Address already in use", for as long as the orphans
     * retransmitted the FINs its guard drops).
     */
    public static void leaveRepair(final SocketChannel channel) throws IOException {
        NativeSockets.setInt(channel, SocketOption.TCP_REPAIR, REPAIR_OFF);
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    }

    /**
     * TCP_REPAIR=-1 (TCP_REPAIR_OFF_NO_WP, Linux 4.14+): leaves repair mode without the window probe; SO_REUSEADDR
     * set again as {@link #leaveRepair} does.
     */
    public static void leaveRepairWithoutWindowProbe(final SocketChannel channel) throws IOException {
        NativeSockets.setInt(channel, SocketOption.TCP_REPAIR, REPAIR_OFF_NO_WINDOW_PROBE);
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    }

    /** True when the socket is in repair mode (getsockopt TCP_REPAIR). */
    public static boolean isInRepair(final SocketChannel channel) throws IOException {
        return NativeSockets.getInt(channel, SocketOption.TCP_REPAIR) != 0;
    }

    /** TCP_REPAIR_QUEUE: which queue the next TCP_QUEUE_SEQ and writes act on. Repair mode only. */
    public static void selectQueue(final SocketChannel channel, final Queue queue) throws IOException {
        NativeSockets.setInt(channel, SocketOption.TCP_REPAIR_QUEUE, queue.code);
    }

    /**
     * Selects {@code queue} and sets its sequence number (TCP_QUEUE_SEQ): SEND sets write_seq (snd_una and snd_nxt
     * follow at connect), RECV sets rcv_nxt. Repair mode, before connect.
     */
    public static void setQueueSeq(final SocketChannel channel, final Queue queue, final long seq) throws IOException {
        RepairWindow.requireU32("seq", seq);
        selectQueue(channel, queue);
        NativeSockets.setInt(channel, SocketOption.TCP_QUEUE_SEQ, (int) seq);
    }

    /** The selected queue's sequence number, unsigned: SEND gives write_seq, RECV gives rcv_nxt. Repair mode. */
    public static long queueSeq(final SocketChannel channel, final Queue queue) throws IOException {
        selectQueue(channel, queue);
        return Integer.toUnsignedLong(NativeSockets.getInt(channel, SocketOption.TCP_QUEUE_SEQ));
    }

    /**
     * TCP_REPAIR_OPTIONS as negotiated in the handshake; the socket must be connected in repair mode and have sent
     * nothing. The window option is always set: with both scales -1 it is set to 0/0, because the kernel otherwise
     * keeps the receive scale it chose at connect and advertises windows shifted by it (about 63 bytes).
     *
     * @param sendWindowScale the shift the peer announced, or -1.
     * @param recvWindowScale the shift this side announced, or -1.
     */
    public static void setOptions(
            final SocketChannel channel,
            final int mss,
            final int sendWindowScale,
            final int recvWindowScale,
            final boolean sackPermitted,
            final boolean timestamps)
            throws IOException {
        final boolean scaled = sendWindowScale >= 0 && recvWindowScale >= 0;
        final int count = 2 + (sackPermitted ? 1 : 0) + (timestamps ? 1 : 0);
        try (Memory options = new Memory(8L * count)) {
            int offset = putOption(options, 0, TCPOPT_MSS, mss);
            offset = putOption(
                    options, offset, TCPOPT_WINDOW, scaled ? (sendWindowScale & 0xFFFF) | (recvWindowScale << 16) : 0);
            if (sackPermitted) {
                offset = putOption(options, offset, TCPOPT_SACK_PERM, 0);
            }
            if (timestamps) {
                putOption(options, offset, TCPOPT_TIMESTAMP, 0);
            }
            NativeSockets.set(
                    channel,
                    SocketOption.TCP_REPAIR_OPTIONS,
                    options,
                    "TCP_REPAIR_OPTIONS={mss=" + mss + ", wscale="
                            + (scaled ? sendWindowScale + "/" + recvWindowScale : "none") + ", sack=" + sackPermitted
                            + ", timestamps=" + timestamps + "}");
        }
    }

    /**
     * TCP_MAXSEG before connect. In repair mode connect() sizes segments from the default MSS clamp (536) and the
     * MSS repair option raises the clamp without resizing them, so without this the socket sends 524-byte segments
     * for ever (the size is only recomputed when the path MTU changes). With it, connect() sizes them from
     * {@code mss}.
     */
    public static void setMaxSegmentSize(final SocketChannel channel, final int mss) throws IOException {
        NativeSockets.setInt(channel, SocketOption.TCP_MAXSEG, mss);
    }

    /** TCP_TIMESTAMP: the TSval the socket sends next (the kernel keeps it as an offset to its clock). Repair mode. */
    public static void setTimestamp(final SocketChannel channel, final long timestampValue) throws IOException {
        RepairWindow.requireU32("timestampValue", timestampValue);
        NativeSockets.setInt(channel, SocketOption.TCP_TIMESTAMP, (int) timestampValue);
    }

    /** TCP_TIMESTAMP read back: the socket's current TSval clock, unsigned. */
    public static long timestamp(final SocketChannel channel) throws IOException {
        return Integer.toUnsignedLong(NativeSockets.getInt(channel, SocketOption.TCP_TIMESTAMP));
    }

    /** TCP_REPAIR_WINDOW. Repair mode, connected; the kernel checks max_window >= snd_wnd and rcv_wup <= rcv_nxt. */
    public static void setWindow(final SocketChannel channel, final RepairWindow window) throws IOException {
        try (Memory memory = new Memory(RepairWindow.SIZE_BYTES)) {
            memory.setInt(0, (int) window.sendWl1());
            memory.setInt(4, (int) window.sendWindow());
            memory.setInt(8, (int) window.maxWindow());
            memory.setInt(12, (int) window.receiveWindow());
            memory.setInt(16, (int) window.receiveWup());
            NativeSockets.set(channel, SocketOption.TCP_REPAIR_WINDOW, memory, "TCP_REPAIR_WINDOW=" + window);
        }
    }

    /** TCP_REPAIR_WINDOW read back. Repair mode. */
    public static RepairWindow window(final SocketChannel channel) throws IOException {
        try (Memory memory = NativeSockets.get(channel, SocketOption.TCP_REPAIR_WINDOW, RepairWindow.SIZE_BYTES)) {
            return new RepairWindow(u32(memory, 0), u32(memory, 4), u32(memory, 8), u32(memory, 12), u32(memory, 16));
        }
    }

    /** IP_TRANSPARENT: lets the socket bind to an address this host does not (yet) own, such as the VIP. */
    public static void setTransparent(final SocketChannel channel, final boolean transparent) throws IOException {
        NativeSockets.setInt(channel, SocketOption.IP_TRANSPARENT, transparent ? 1 : 0);
    }

    /** SO_SNDBUFFORCE: SO_SNDBUF beyond net.core.wmem_max (the kernel doubles the value, as for SO_SNDBUF). */
    public static void forceSendBuffer(final SocketChannel channel, final int bytes) throws IOException {
        NativeSockets.setInt(channel, SocketOption.SO_SNDBUFFORCE, bytes);
    }

    /** SO_RCVBUFFORCE: SO_RCVBUF beyond net.core.rmem_max (the kernel doubles the value). */
    public static void forceReceiveBuffer(final SocketChannel channel, final int bytes) throws IOException {
        NativeSockets.setInt(channel, SocketOption.SO_RCVBUFFORCE, bytes);
    }

    /**
     * Queues bytes as sent and unacked, starting at the send queue's sequence number, after raising the send buffer
     * so they fit. Repair mode, connected. Writes without blocking: a write into a full repair send queue would
     * block for ever (no ACK frees space in repair mode), so a full queue is an error here.
     */
    public static void writeSendQueue(final SocketChannel channel, final byte[] bytes) throws IOException {
        final int sendBuffer = NativeSockets.getInt(channel, SocketOption.SO_SNDBUF);
        final long wanted = 2L * bytes.length + SEND_BUFFER_HEADROOM_BYTES;
        if (wanted > sendBuffer / 2) {
            forceSendBuffer(channel, (int) Math.min(Integer.MAX_VALUE / 2, wanted));
        }
        selectQueue(channel, Queue.SEND);
        final boolean wasBlocking = channel.isBlocking();
        channel.configureBlocking(false);
        try {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                if (channel.write(buffer) == 0) {
                    throw new TcpRepairException(
                            "write into the repair send queue of " + channel,
                            "queue full after " + buffer.position() + " of " + bytes.length + " bytes (SO_SNDBUF="
                                    + NativeSockets.getInt(channel, SocketOption.SO_SNDBUF) + ")",
                            null);
                }
            }
        } finally {
            channel.configureBlocking(wasBlocking);
        }
    }

    /** TCP_INFO: state and negotiated options (read and decoded by the primary wrapper's {@link TcpInfo}). */
    public static TcpInfo info(final SocketChannel channel) throws IOException {
        try {
            return TcpInfo.read(channel);
        } catch (final IOException ex) {
            throw new TcpRepairException("reading TCP_INFO of " + channel, ex.getMessage(), ex);
        }
    }

    /** The channel's file descriptor (for diagnostics and other native calls). */
    public static int fd(final SocketChannel channel) throws IOException {
        return NativeSockets.fd(channel);
    }

    private static void bindAndConnect(final SocketChannel channel, final RestoreSpec spec) throws IOException {
        try {
            channel.bind(spec.local());
        } catch (final IOException ex) {
            throw new TcpRepairException("bind(" + spec.local() + ") in repair mode", ex.toString(), ex);
        }
        try {
            // In repair mode connect() moves straight to ESTABLISHED: no SYN leaves the host.
            channel.connect(spec.remote());
        } catch (final IOException ex) {
            throw new TcpRepairException(
                    "connect(" + spec.local() + " -> " + spec.remote() + ") in repair mode", ex.toString(), ex);
        }
    }

    private static int putOption(final Memory options, final int offset, final int code, final int value) {
        options.setInt(offset, code);
        options.setInt(offset + 4, value);
        return offset + 8;
    }

    private static long u32(final Memory memory, final int offset) {
        return Integer.toUnsignedLong(memory.getInt(offset));
    }

    private static ProtocolFamily family(final InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET;
    }

    private static void closeAfterFailure(final SocketChannel channel, final Exception failure) {
        try {
            channel.close();
        } catch (final IOException ex) {
            failure.addSuppressed(ex);
        }
    }
}
