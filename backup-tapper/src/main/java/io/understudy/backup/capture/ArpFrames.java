package io.understudy.backup.capture;

import java.nio.ByteBuffer;

/**
 * Ethernet ARP frames for IPv4, built and read by hand: the gratuitous announcements after a claim, the RFC 5227
 * probes before one, and the test of a captured frame for another host that claims (or probes for) the service
 * address. Pure functions: bytes in, bytes or an answer out, so every case is tested without a network.
 *
 * <pre>
 * offset 0        6        12     14      16      18     19     20     22         28         32         38        42
 *        +--------+--------+------+-------+-------+------+------+------+----------+----------+----------+---------+
 *        |dst mac |src mac |0x0806|htype 1|0x0800 |hlen 6|plen 4|op 1,2|sender mac|sender ip |target mac|target ip|
 *        +--------+--------+------+-------+-------+------+------+------+----------+----------+----------+---------+
 *        probe: broadcast, sender ip 0.0.0.0, target mac 0, target ip = the address probed
 * </pre>
 */
public final class ArpFrames {
    public static final int REQUEST = 1;
    public static final int REPLY = 2;
    public static final int FRAME_BYTES = 42;
    public static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    public static final byte[] NO_MAC = new byte[6];

    private static final int ETHER_TYPE_ARP = 0x0806;
    private static final int OPERATION = 20;
    private static final int SENDER_MAC = 22;
    private static final int SENDER_ADDRESS = 28;
    private static final int TARGET_ADDRESS = 38;

    private ArpFrames() {}

    /** A broadcast ARP frame from {@code mac}; the layout above. */
    public static byte[] frame(
            final byte[] mac,
            final int operation,
            final int senderAddress,
            final byte[] targetMac,
            final int targetAddress) {
        final ByteBuffer frame = ByteBuffer.allocate(FRAME_BYTES);
        frame.put(BROADCAST).put(mac).putShort((short) ETHER_TYPE_ARP);
        frame.putShort((short) 1)
                .putShort((short) 0x0800)
                .put((byte) 6)
                .put((byte) 4)
                .putShort((short) operation);
        frame.put(mac).putInt(senderAddress).put(targetMac).putInt(targetAddress);
        return frame.array();
    }

    /**
     * An RFC 5227 ARP probe: a request asking who has {@code address}, with sender IP 0.0.0.0 so that no host's
     * cache learns anything from it (the address is not ours yet).
     */
    public static byte[] probe(final byte[] ourMac, final int address) {
        return frame(ourMac, REQUEST, 0, NO_MAC, address);
    }

    /**
     * The MAC of another host that says it has {@code address}: an ARP request or reply whose sender IP is the
     * address and whose sender MAC is not {@code ourMac}; null for any other frame, including one too short or not
     * ARP for IPv4 over Ethernet.
     */
    public static String claimant(final byte[] frame, final int length, final int address, final byte[] ourMac) {
        if (!isArp(frame, length) || readInt(frame, SENDER_ADDRESS) != address || isFrom(frame, ourMac)) {
            return null;
        }
        return macText(frame, SENDER_MAC);
    }

    /**
     * The MAC of another host probing for {@code address} (RFC 5227 2.1.1: a request with sender IP 0.0.0.0 and
     * that target IP, from a sender MAC not ours): two hosts probing at once must not both go on to claim it.
     */
    public static String prober(final byte[] frame, final int length, final int address, final byte[] ourMac) {
        if (!isArp(frame, length)
                || readShort(frame, OPERATION) != REQUEST
                || readInt(frame, SENDER_ADDRESS) != 0
                || readInt(frame, TARGET_ADDRESS) != address
                || isFrom(frame, ourMac)) {
            return null;
        }
        return macText(frame, SENDER_MAC);
    }

    /** What ends a duplicate address probe for {@code address}: a claimant, else another prober; null for neither. */
    public static String conflictWhileProbing(
            final byte[] frame, final int length, final int address, final byte[] ourMac) {
        final String claimant = claimant(frame, length, address, ourMac);
        return claimant != null ? claimant : prober(frame, length, address, ourMac);
    }

    /** Six bytes from {@code offset} as lower-case "aa:bb:cc:dd:ee:ff". */
    public static String macText(final byte[] bytes, final int offset) {
        final StringBuilder text = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                text.append(':');
            }
            text.append(Character.forDigit((bytes[offset + i] >>> 4) & 0xf, 16))
                    .append(Character.forDigit(bytes[offset + i] & 0xf, 16));
        }
        return text.toString();
    }

    /** Whole, and ARP for IPv4 over Ethernet with a known operation; a capture may pad it to 60 bytes. */
    private static boolean isArp(final byte[] frame, final int length) {
        return frame != null
                && length >= FRAME_BYTES
                && frame.length >= length
                && readShort(frame, 12) == ETHER_TYPE_ARP
                && readShort(frame, 14) == 1
                && readShort(frame, 16) == 0x0800
                && frame[18] == 6
                && frame[19] == 4
                && (readShort(frame, OPERATION) == REQUEST || readShort(frame, OPERATION) == REPLY);
    }

    private static boolean isFrom(final byte[] frame, final byte[] ourMac) {
        return java.util.Arrays.equals(frame, SENDER_MAC, SENDER_MAC + 6, ourMac, 0, 6);
    }

    private static int readShort(final byte[] frame, final int offset) {
        return (frame[offset] & 0xff) << 8 | frame[offset + 1] & 0xff;
    }

    private static int readInt(final byte[] frame, final int offset) {
        return readShort(frame, offset) << 16 | readShort(frame, offset + 2);
    }
}
