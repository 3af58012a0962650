package io.understudy.backup.repair;

/**
 * The few fields of Linux's {@code struct tcp_info} (TCP_INFO) that show whether a restore took: the state and the
 * options the socket really uses.
 *
 * <pre>
 *   offset  field
 *   0       u8  tcpi_state        (1 = ESTABLISHED)
 *   5       u8  tcpi_options      (TCPI_OPT_TIMESTAMPS 1, _SACK 2, _WSCALE 4)
 *   6       u8  snd_wscale:4 (low bits), rcv_wscale:4 (high bits)
 *   16      u32 tcpi_snd_mss
 * </pre>
 */
public record TcpInfo(int state, int options, int sendWindowScale, int receiveWindowScale, int sendMss) {
    /** tcpi_state of an established connection (TCP_ESTABLISHED). */
    public static final int STATE_ESTABLISHED = 1;

    public static final int OPTION_TIMESTAMPS = 1;
    public static final int OPTION_SACK = 2;
    public static final int OPTION_WINDOW_SCALE = 4;

    static final int READ_BYTES = 104;

    public boolean isEstablished() {
        return state == STATE_ESTABLISHED;
    }

    public boolean hasTimestamps() {
        return (options & OPTION_TIMESTAMPS) != 0;
    }

    public boolean hasSack() {
        return (options & OPTION_SACK) != 0;
    }

    public boolean hasWindowScale() {
        return (options & OPTION_WINDOW_SCALE) != 0;
    }
}
