package io.understudy.primary;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.NetworkChannel;

/**
 * What Linux's getsockopt(TCP_INFO) says about a TCP socket: its state and the options its handshake (or a
 * TCP_REPAIR restore) settled. The primary logs an accepted connection's options from it, for a backup that missed
 * part of the handshake; the backup checks a restored socket with it ({@code TcpRepair.info}).
 *
 * <p>It lives in the primary wrapper, beside the JNA socket calls the primary already makes, because the primary reads
 * it on every accept: the backup-tapper module depends on this one for it, where the reverse would put pcap4j and
 * the tap on the primary's class path. Linux only; reading needs {@code --add-opens=java.base/sun.nio.ch=ALL-UNNAMED}
 * (the node's launcher passes it).
 *
 * <pre>
 *   offset  field of struct tcp_info (linux/tcp.h)
 *   0       u8  tcpi_state        (1 = ESTABLISHED)
 *   5       u8  tcpi_options      (TCPI_OPT_TIMESTAMPS 1, _SACK 2, _WSCALE 4)
 *   6       u8  snd_wscale:4 (low bits), rcv_wscale:4 (high bits)
 *   16      u32 tcpi_snd_mss      (native byte order)
 * </pre>
 *
 * @param state              tcpi_state: {@link #STATE_ESTABLISHED}, or another TCP state.
 * @param options            the tcpi_options bits, {@code OPTION_*}.
 * @param sendWindowScale    the peer's shift (tcpi_snd_wscale; the client's on the primary), -1 when not negotiated.
 * @param receiveWindowScale this side's shift (tcpi_rcv_wscale), -1 when not negotiated.
 * @param sendMss            the MSS this side sends with (tcpi_snd_mss): less the timestamp option's 12 bytes when
 *                           timestamps are on.
 */
public record TcpInfo(int state, int options, int sendWindowScale, int receiveWindowScale, int sendMss) {
    /** tcpi_state of an established connection (TCP_ESTABLISHED). */
    public static final int STATE_ESTABLISHED = 1;

    public static final int OPTION_TIMESTAMPS = 1;
    public static final int OPTION_SACK = 2;
    public static final int OPTION_WINDOW_SCALE = 4;

    /** The part of struct tcp_info decoded: up to the end of tcpi_snd_mss. */
    static final int DECODED_BYTES = 20;

    private static final int IPPROTO_TCP = 6;
    private static final int TCP_INFO = 11;
    private static final int STATE_OFFSET = 0;
    private static final int OPTIONS_OFFSET = 5;
    private static final int WINDOW_SCALES_OFFSET = 6;
    private static final int SEND_MSS_OFFSET = 16;

    /** getsockopt(TCP_INFO) of an open socket; an IOException names what failed (and the errno). */
    public static TcpInfo read(final NetworkChannel channel) throws IOException {
        return decode(raw(channel, DECODED_BYTES));
    }

    /** The first {@code length} bytes of the socket's struct tcp_info, in native order; fewer is an IOException. */
    private static byte[] raw(final NetworkChannel channel, final int length) throws IOException {
        final byte[] bytes = NativeSocket.get(channel, IPPROTO_TCP, TCP_INFO, "TCP_INFO", length);
        if (bytes.length < length) {
            throw new IOException(
                    "getsockopt(TCP_INFO) of " + channel + " gave " + bytes.length + " bytes, expected " + length);
        }
        return bytes;
    }

    /**
     * {@link #read}, or null when TCP_INFO cannot be read (not Linux, sun.nio.ch not opened, the socket closed): the
     * primary then logs the connection's options as unknown.
     */
    static TcpInfo tryRead(final NetworkChannel channel) {
        try {
            return read(channel);
        } catch (final IOException | RuntimeException ex) {
            return null;
        }
    }

    /** The record of the first {@link #DECODED_BYTES} of a struct tcp_info, as the kernel wrote them. */
    static TcpInfo decode(final byte[] tcpInfo) {
        final ByteBuffer bytes = ByteBuffer.wrap(tcpInfo).order(ByteOrder.nativeOrder());
        final int options = bytes.get(OPTIONS_OFFSET) & 0xFF;
        final int scales = bytes.get(WINDOW_SCALES_OFFSET) & 0xFF;
        // The kernel leaves both shifts 0 without the option; -1 says "not negotiated", as RestoreSpec and the log do.
        final boolean scaled = (options & OPTION_WINDOW_SCALE) != 0;
        return new TcpInfo(
                bytes.get(STATE_OFFSET) & 0xFF,
                options,
                scaled ? scales & 0x0F : -1,
                scaled ? scales >>> 4 : -1,
                bytes.getInt(SEND_MSS_OFFSET));
    }

    /**
     * The retransmission figures of a socket's struct tcp_info: its retransmission timeout and smoothed round trip
     * (both in microseconds; the RTT 0 until the first sample) and how many segments it retransmitted in all
     * (tail loss probes and timeouts included).
     *
     * <pre>
     *   offset  field of struct tcp_info (linux/tcp.h)
     *   8       u32 tcpi_rto
     *   68      u32 tcpi_rtt
     *   100     u32 tcpi_total_retrans
     * </pre>
     */
    public record Retransmission(long rtoUs, long rttUs, long totalRetransmissions) {
        private static final int RTO_OFFSET = 8;
        private static final int RTT_OFFSET = 68;
        private static final int TOTAL_RETRANS_OFFSET = 100;
        private static final int BYTES = 104;

        /** getsockopt(TCP_INFO) of an open socket; an IOException names what failed (and the errno). */
        public static Retransmission read(final NetworkChannel channel) throws IOException {
            final ByteBuffer bytes = ByteBuffer.wrap(raw(channel, BYTES)).order(ByteOrder.nativeOrder());
            return new Retransmission(
                    Integer.toUnsignedLong(bytes.getInt(RTO_OFFSET)),
                    Integer.toUnsignedLong(bytes.getInt(RTT_OFFSET)),
                    Integer.toUnsignedLong(bytes.getInt(TOTAL_RETRANS_OFFSET)));
        }
    }

    public boolean isEstablished() {
        return state == STATE_ESTABLISHED;
    }

    public boolean hasTimestamps() {
        return (options & OPTION_TIMESTAMPS) != 0;
    }

    /** SACK was permitted in the handshake. */
    public boolean hasSack() {
        return (options & OPTION_SACK) != 0;
    }

    /** Window scaling was negotiated: both scales are then 0 to 14, else both -1. */
    public boolean hasWindowScale() {
        return (options & OPTION_WINDOW_SCALE) != 0;
    }
}
