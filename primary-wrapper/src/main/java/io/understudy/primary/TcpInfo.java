package io.understudy.primary;

import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;
import java.nio.channels.SocketChannel;

/**
 * What the primary's kernel negotiated for an accepted connection, from getsockopt(TCP_INFO): the backup needs these
 * options to restore the connection and cannot learn them from its tap when it missed a handshake segment. Linux
 * only; the JVM must open sun.nio.ch to this code (the node's launcher does).
 *
 * @param mss               the MSS this side sends with (tcpi_snd_mss).
 * @param clientWindowScale the client's window scale shift (tcpi_snd_wscale), -1 when not negotiated.
 * @param serverWindowScale this side's shift (tcpi_rcv_wscale), -1 when not negotiated.
 * @param sackPermitted     SACK was negotiated.
 * @param timestamps        TCP timestamps were negotiated.
 */
record TcpInfo(int mss, int clientWindowScale, int serverWindowScale, boolean sackPermitted, boolean timestamps) {
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_INFO = 11;
    /** struct tcp_info up to tcpi_rcv_mss: eight u8 fields, then u32 rto, ato, snd_mss, rcv_mss. */
    private static final int PREFIX_BYTES = 24;

    private static final int OPTIONS_OFFSET = 5;
    private static final int WSCALE_OFFSET = 6;
    private static final int SND_MSS_OFFSET = 16;
    private static final int TCPI_OPT_TIMESTAMPS = 1;
    private static final int TCPI_OPT_SACK = 2;
    private static final int TCPI_OPT_WSCALE = 4;

    /** The options of an established socket; null when they cannot be read (not Linux, sun.nio.ch closed). */
    static TcpInfo of(final SocketChannel channel) {
        if (!NativeSocket.canGet()) {
            return null;
        }
        try (Memory info = new Memory(PREFIX_BYTES)) {
            info.clear();
            final int fd = NativeSocket.fd(channel);
            final IntByReference length = new IntByReference(PREFIX_BYTES);
            if (NativeSocket.GETSOCKOPT.invokeInt(new Object[] {fd, IPPROTO_TCP, TCP_INFO, info, length}) != 0
                    || length.getValue() < PREFIX_BYTES) {
                return null;
            }
            final int options = info.getByte(OPTIONS_OFFSET) & 0xff;
            final int scales = info.getByte(WSCALE_OFFSET) & 0xff;
            final boolean scaling = (options & TCPI_OPT_WSCALE) != 0;
            return new TcpInfo(
                    info.getInt(SND_MSS_OFFSET),
                    scaling ? scales & 0x0f : -1,
                    scaling ? scales >>> 4 : -1,
                    (options & TCPI_OPT_SACK) != 0,
                    (options & TCPI_OPT_TIMESTAMPS) != 0);
        } catch (final ReflectiveOperationException | RuntimeException ex) {
            return null;
        }
    }
}
