package io.understudy.backup.repair;

/**
 * The window state TCP_REPAIR_WINDOW reads and writes ({@code struct tcp_repair_window}); every field is an unsigned
 * 32-bit value held in a long. Without it a restored socket starts with a zero send window until the peer's first
 * ACK (the window probe TCP_REPAIR=0 sends asks for one).
 *
 * <pre>
 *   offset  field       meaning
 *   0       snd_wl1     sequence number of the segment that last updated the send window
 *   4       snd_wnd     send window (the peer's advertised window, already scaled)
 *   8       max_window  largest window the peer ever advertised (must be >= snd_wnd)
 *   12      rcv_wnd     receive window we advertised
 *   16      rcv_wup     rcv_nxt when the receive window was last advertised (must not be after rcv_nxt)
 * </pre>
 */
public record RepairWindow(long sendWl1, long sendWindow, long maxWindow, long receiveWindow, long receiveWup) {
    public static final int SIZE_BYTES = 20;

    public RepairWindow {
        requireU32("sendWl1", sendWl1);
        requireU32("sendWindow", sendWindow);
        requireU32("maxWindow", maxWindow);
        requireU32("receiveWindow", receiveWindow);
        requireU32("receiveWup", receiveWup);
    }

    public static void requireU32(final String name, final long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(name + " must be an unsigned 32-bit value, got " + value);
        }
    }
}
