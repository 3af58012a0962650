package io.understudy.backup.track;

/**
 * One decoded TCP segment, a flyweight reused for every frame: the fields point into the captured frame, nothing
 * is copied. Valid only until the next frame is decoded into it.
 */
public final class TcpSegment {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    public int sourceAddress;
    public int destinationAddress;
    public int sourcePort;
    public int destinationPort;
    public int sequence;
    public int acknowledgement;
    public int flags;
    public int window;

    /** MSS option value, or -1 when absent. */
    public int mss;
    /** Window scale shift, or -1 when absent. */
    public int windowScale;

    public boolean sackPermitted;
    public boolean hasTimestamp;
    public int timestampValue;
    public int timestampEcho;

    public byte[] frame;
    /** Where the sender's MAC address starts in the frame (untagged Ethernet), -1 when there is none. */
    public int sourceMacOffset = -1;

    public int payloadOffset;
    public int payloadLength;

    public void clearOptions() {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        hasTimestamp = false;
        timestampValue = 0;
        timestampEcho = 0;
    }

    public boolean has(final int flag) {
        return (flags & flag) != 0;
    }

    /** Sequence space this segment occupies: payload bytes, plus one each for SYN and FIN. */
    public int sequenceLength() {
        return payloadLength + (has(SYN) ? 1 : 0) + (has(FIN) ? 1 : 0);
    }

    public static String address(final int address) {
        return ((address >>> 24) & 0xff) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "."
                + (address & 0xff);
    }

    @Override
    public String toString() {
        return address(sourceAddress) + ":" + sourcePort + " > " + address(destinationAddress) + ":" + destinationPort
                + " flags=0x" + Integer.toHexString(flags) + " seq=" + Integer.toUnsignedString(sequence) + " ack="
                + Integer.toUnsignedString(acknowledgement) + " len=" + payloadLength;
    }
}
