package io.understudy.backup;

/**
 * One decoded TCP segment, a flyweight reused for every frame: the fields point into the captured frame, nothing
 * is copied. Valid only until the next frame is decoded into it.
 */
final class TcpSegment {
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;

    int sourceAddress;
    int destinationAddress;
    int sourcePort;
    int destinationPort;
    int sequence;
    int acknowledgement;
    int flags;
    int window;

    /** MSS option value, or -1 when absent. */
    int mss;
    /** Window scale shift, or -1 when absent. */
    int windowScale;

    boolean sackPermitted;
    boolean hasTimestamp;
    int timestampValue;
    int timestampEcho;

    byte[] frame;
    /** Where the sender's MAC address starts in the frame (untagged Ethernet), -1 when there is none. */
    int sourceMacOffset = -1;

    int payloadOffset;
    int payloadLength;

    void clearOptions() {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        hasTimestamp = false;
        timestampValue = 0;
        timestampEcho = 0;
    }

    boolean has(final int flag) {
        return (flags & flag) != 0;
    }

    /** Sequence space this segment occupies: payload bytes, plus one each for SYN and FIN. */
    int sequenceLength() {
        return payloadLength + (has(SYN) ? 1 : 0) + (has(FIN) ? 1 : 0);
    }

    static String address(final int address) {
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
