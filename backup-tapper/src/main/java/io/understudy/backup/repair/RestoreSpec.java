package io.understudy.backup.repair;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * Everything {@link TcpRepair#restore(RestoreSpec)} needs to rebuild one ESTABLISHED TCP socket without a handshake.
 * Sequence numbers and the timestamp are unsigned 32-bit values held in a long.
 *
 * @param local            the address the restored socket owns (for a takeover, VIP:service-port).
 * @param remote           the peer (for a takeover, the client's address and port).
 * @param sendSeq          the first byte the peer has not acked (snd_una); {@code unackedBytes} start here.
 * @param recvSeq          the next peer byte this socket will read (rcv_nxt).
 * @param mss              the MSS the peer announced in its SYN (1..65535).
 * @param sendWindowScale  the window scale shift the peer announced (applies to the windows it advertises), 0..14,
 *                         or -1 when scaling was not negotiated.
 * @param recvWindowScale  the window scale shift this side announced, 0..14, or -1 when not negotiated. Both
 *                         or neither must be -1.
 * @param sackPermitted    both SYNs carried SACK-permitted.
 * @param timestamps       both SYNs carried timestamps.
 * @param timestampValue   the TSval the socket sends next (last TSval sent + a margin); used only with timestamps.
 * @param unackedBytes     bytes sent but not acked by the peer, queued for retransmission from {@code sendSeq}.
 * @param window           window state for TCP_REPAIR_WINDOW, or null to leave the kernel's (zero send window
 *                         until the peer answers the window probe).
 * @param finSent          this side had sent its FIN, right after {@code unackedBytes}: it is queued as sent (so
 *                         the peer's acks of it are valid), and resent if the peer does not acknowledge it.
 */
public record RestoreSpec(
        InetSocketAddress local,
        InetSocketAddress remote,
        long sendSeq,
        long recvSeq,
        int mss,
        int sendWindowScale,
        int recvWindowScale,
        boolean sackPermitted,
        boolean timestamps,
        long timestampValue,
        byte[] unackedBytes,
        RepairWindow window,
        boolean finSent) {
    /** Largest window scale shift (RFC 7323, TCP_MAX_WSCALE). */
    public static final int MAX_WINDOW_SCALE = 14;

    public RestoreSpec {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
        RepairWindow.requireU32("sendSeq", sendSeq);
        RepairWindow.requireU32("recvSeq", recvSeq);
        RepairWindow.requireU32("timestampValue", timestampValue);
        if (mss < 1 || mss > 0xFFFF) {
            throw new IllegalArgumentException("mss must be 1..65535, got " + mss);
        }
        requireScale("sendWindowScale", sendWindowScale);
        requireScale("recvWindowScale", recvWindowScale);
        if ((sendWindowScale < 0) != (recvWindowScale < 0)) {
            throw new IllegalArgumentException("window scaling is negotiated both ways or not at all, got send="
                    + sendWindowScale + ", recv=" + recvWindowScale);
        }
        unackedBytes = unackedBytes == null ? new byte[0] : unackedBytes.clone();
    }

    /** A spec with no window scaling, no SACK, no timestamps, nothing unacked and the kernel's window. */
    public static RestoreSpec of(
            final InetSocketAddress local,
            final InetSocketAddress remote,
            final long sendSeq,
            final long recvSeq,
            final int mss) {
        return new RestoreSpec(local, remote, sendSeq, recvSeq, mss, -1, -1, false, false, 0, null, null, false);
    }

    public RestoreSpec withWindowScales(final int sendWindowScale, final int recvWindowScale) {
        return new RestoreSpec(
                local,
                remote,
                sendSeq,
                recvSeq,
                mss,
                sendWindowScale,
                recvWindowScale,
                sackPermitted,
                timestamps,
                timestampValue,
                unackedBytes,
                window,
                finSent);
    }

    public RestoreSpec withSackPermitted(final boolean sackPermitted) {
        return new RestoreSpec(
                local,
                remote,
                sendSeq,
                recvSeq,
                mss,
                sendWindowScale,
                recvWindowScale,
                sackPermitted,
                timestamps,
                timestampValue,
                unackedBytes,
                window,
                finSent);
    }

    /** Timestamps on, the socket's next TSval being {@code timestampValue}. */
    public RestoreSpec withTimestamps(final long timestampValue) {
        return new RestoreSpec(
                local,
                remote,
                sendSeq,
                recvSeq,
                mss,
                sendWindowScale,
                recvWindowScale,
                sackPermitted,
                true,
                timestampValue,
                unackedBytes,
                window,
                finSent);
    }

    public RestoreSpec withUnackedBytes(final byte[] unackedBytes) {
        return new RestoreSpec(
                local,
                remote,
                sendSeq,
                recvSeq,
                mss,
                sendWindowScale,
                recvWindowScale,
                sackPermitted,
                timestamps,
                timestampValue,
                unackedBytes,
                window,
                finSent);
    }

    public RestoreSpec withWindow(final RepairWindow window) {
        return new RestoreSpec(
                local,
                remote,
                sendSeq,
                recvSeq,
                mss,
                sendWindowScale,
                recvWindowScale,
                sackPermitted,
                timestamps,
                timestampValue,
                unackedBytes,
                window,
                finSent);
    }

    /** This side's FIN was sent after {@code unackedBytes} (it half closed, or closed, before the takeover). */
    public RestoreSpec withFinSent() {
        return new RestoreSpec(
                local,
                remote,
                sendSeq,
                recvSeq,
                mss,
                sendWindowScale,
                recvWindowScale,
                sackPermitted,
                timestamps,
                timestampValue,
                unackedBytes,
                window,
                true);
    }

    /** A copy: the record keeps its own. */
    @Override
    public byte[] unackedBytes() {
        return unackedBytes.clone();
    }

    public int unackedLength() {
        return unackedBytes.length;
    }

    public byte[] unackedBytesShared() {
        return unackedBytes;
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof RestoreSpec that
                && local.equals(that.local)
                && remote.equals(that.remote)
                && sendSeq == that.sendSeq
                && recvSeq == that.recvSeq
                && mss == that.mss
                && sendWindowScale == that.sendWindowScale
                && recvWindowScale == that.recvWindowScale
                && sackPermitted == that.sackPermitted
                && timestamps == that.timestamps
                && timestampValue == that.timestampValue
                && Arrays.equals(unackedBytes, that.unackedBytes)
                && Objects.equals(window, that.window)
                && finSent == that.finSent;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                local,
                remote,
                sendSeq,
                recvSeq,
                mss,
                sendWindowScale,
                recvWindowScale,
                sackPermitted,
                timestamps,
                timestampValue,
                Arrays.hashCode(unackedBytes),
                window,
                finSent);
    }

    @Override
    public String toString() {
        return "RestoreSpec{local=" + local + ", remote=" + remote + ", sendSeq=" + sendSeq + ", recvSeq=" + recvSeq
                + ", mss=" + mss + ", sendWindowScale=" + sendWindowScale + ", recvWindowScale=" + recvWindowScale
                + ", sackPermitted=" + sackPermitted + ", timestamps=" + timestamps + ", timestampValue="
                + timestampValue + ", unackedBytes=" + unackedBytes.length + " bytes, window=" + window
                + ", finSent=" + finSent + "}";
    }

    private static void requireScale(final String name, final int scale) {
        if (scale < -1 || scale > MAX_WINDOW_SCALE) {
            throw new IllegalArgumentException(
                    name + " must be -1 (none) or 0.." + MAX_WINDOW_SCALE + ", got " + scale);
        }
    }
}
