package io.understudy.backup.capture;

import io.understudy.backup.track.TcpSegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Decodes a captured frame (Ethernet with optional VLAN tags, Linux cooked capture v1/v2, or raw IPv4) into a
 * {@link TcpSegment}, checking lengths and checksums. Never throws on bad input: it says why it skipped a frame.
 */
public final class FrameDecoder {
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int LINKTYPE_RAW = 101;
    public static final int LINKTYPE_LINUX_SLL = 113;
    public static final int LINKTYPE_LINUX_SLL2 = 276;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88a8;
    private static final int PROTOCOL_TCP = 6;
    private static final VarHandle LONG_BIG_ENDIAN =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** How the decoder treats a wrong IPv4 or TCP checksum. */
    public enum Checksums {
        /** The frame is skipped (BAD_IP_CHECKSUM, BAD_TCP_CHECKSUM): what the live tap does. */
        VERIFY,
        /**
         * The frame is decoded anyway and counted ({@link #wrongChecksums()}), as Wireshark does by default: a capture
         * taken on a sending host with checksum offload has unfilled checksums in what that host sent.
         */
        COUNT,
        /** Checksums are not computed. */
        IGNORE
    }

    private final int linkType;
    private final Checksums checksums;
    private long wrongChecksums;

    public FrameDecoder(final int linkType, final boolean verifyChecksums) {
        this(linkType, verifyChecksums ? Checksums.VERIFY : Checksums.IGNORE);
    }

    public FrameDecoder(final int linkType, final Checksums checksums) {
        this.linkType = linkType;
        this.checksums = checksums;
    }

    /** Frames decoded despite a wrong checksum (only with {@link Checksums#COUNT}). */
    public long wrongChecksums() {
        return wrongChecksums;
    }

    /** Whether a frame with a wrong checksum is skipped; counts it when it is decoded anyway. */
    private boolean skipsWrongChecksum() {
        if (checksums == Checksums.VERIFY) {
            return true;
        }
        wrongChecksums++;
        return false;
    }

    /**
     * @param frame          the captured bytes.
     * @param capturedLength bytes captured.
     * @param wireLength     bytes the frame had on the wire (more than captured when the snap length cut it).
     */
    public DecodeResult decode(
            final byte[] frame, final int capturedLength, final int wireLength, final TcpSegment out) {
        final int ipOffset = ipOffset(frame, capturedLength);
        if (ipOffset < 0) {
            return ipOffset == -1
                    ? DecodeResult.UNSUPPORTED_LINK
                    : ipOffset == -2 ? DecodeResult.NOT_IPV4 : truncatedOrMalformed(capturedLength, wireLength);
        }
        out.sourceMacOffset = linkType == LINKTYPE_ETHERNET && ipOffset == 14 ? 6 : -1;
        return decodeIpv4(frame, ipOffset, capturedLength, wireLength, out);
    }

    /** Offset of the IPv4 header; -1 unsupported link, -2 not IPv4, -3 too short. */
    private int ipOffset(final byte[] frame, final int length) {
        switch (linkType) {
            case LINKTYPE_ETHERNET:
                int offset = 12;
                while (true) {
                    if (length < offset + 2) {
                        return -3;
                    }
                    final int etherType = u16(frame, offset);
                    if (etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ) {
                        offset += 4;
                        continue;
                    }
                    return etherType == ETHERTYPE_IPV4 ? offset + 2 : -2;
                }
            case LINKTYPE_LINUX_SLL:
                return length < 16 ? -3 : u16(frame, 14) == ETHERTYPE_IPV4 ? 16 : -2;
            case LINKTYPE_LINUX_SLL2:
                return length < 20 ? -3 : u16(frame, 0) == ETHERTYPE_IPV4 ? 20 : -2;
            case LINKTYPE_RAW:
                return length < 1 ? -3 : (frame[0] & 0xf0) == 0x40 ? 0 : -2;
            default:
                return -1;
        }
    }

    private DecodeResult decodeIpv4(
            final byte[] frame, final int ip, final int capturedLength, final int wireLength, final TcpSegment out) {
        if (capturedLength < ip + 20) {
            return truncatedOrMalformed(capturedLength, wireLength);
        }
        final int headerLength = (frame[ip] & 0x0f) * 4;
        final int totalLength = u16(frame, ip + 2);
        if ((frame[ip] & 0xf0) != 0x40) {
            return DecodeResult.NOT_IPV4;
        }
        if (headerLength < 20 || totalLength < headerLength) {
            return DecodeResult.MALFORMED;
        }
        if (capturedLength < ip + totalLength) {
            return truncatedOrMalformed(capturedLength, wireLength);
        }
        if ((u16(frame, ip + 6) & 0x3fff) != 0) {
            return DecodeResult.FRAGMENT;
        }
        if ((frame[ip + 9] & 0xff) != PROTOCOL_TCP) {
            return DecodeResult.NOT_TCP;
        }
        if (checksums != Checksums.IGNORE
                && onesComplementSum(frame, ip, headerLength, 0) != 0xffff
                && skipsWrongChecksum()) {
            return DecodeResult.BAD_IP_CHECKSUM;
        }
        out.sourceAddress = i32(frame, ip + 12);
        out.destinationAddress = i32(frame, ip + 16);
        return decodeTcp(frame, ip + headerLength, totalLength - headerLength, out);
    }

    private DecodeResult decodeTcp(final byte[] frame, final int tcp, final int tcpLength, final TcpSegment out) {
        if (tcpLength < 20) {
            return DecodeResult.MALFORMED;
        }
        final int dataOffset = ((frame[tcp + 12] & 0xf0) >>> 4) * 4;
        if (dataOffset < 20 || dataOffset > tcpLength) {
            return DecodeResult.MALFORMED;
        }
        if (checksums != Checksums.IGNORE && !tcpChecksumOk(frame, tcp, tcpLength, out) && skipsWrongChecksum()) {
            return DecodeResult.BAD_TCP_CHECKSUM;
        }
        out.sourcePort = u16(frame, tcp);
        out.destinationPort = u16(frame, tcp + 2);
        out.sequence = i32(frame, tcp + 4);
        out.acknowledgement = i32(frame, tcp + 8);
        out.flags = frame[tcp + 13] & 0xff;
        out.window = u16(frame, tcp + 14);
        out.frame = frame;
        out.payloadOffset = tcp + dataOffset;
        out.payloadLength = tcpLength - dataOffset;
        out.clearOptions();
        parseOptions(frame, tcp + 20, tcp + dataOffset, out);
        return DecodeResult.TCP;
    }

    /** Reads MSS, window scale, SACK permitted and timestamps; stops at a malformed option, as Linux does. */
    private static void parseOptions(final byte[] frame, final int start, final int end, final TcpSegment out) {
        int at = start;
        while (at < end) {
            final int kind = frame[at] & 0xff;
            if (kind == 0) {
                return;
            }
            if (kind == 1) {
                at++;
                continue;
            }
            if (at + 1 >= end) {
                return;
            }
            final int length = frame[at + 1] & 0xff;
            if (length < 2 || at + length > end) {
                return;
            }
            if (kind == 2 && length == 4) {
                out.mss = u16(frame, at + 2);
            } else if (kind == 3 && length == 3) {
                out.windowScale = Math.min(frame[at + 2] & 0xff, 14);
            } else if (kind == 4 && length == 2) {
                out.sackPermitted = true;
            } else if (kind == 8 && length == 10) {
                out.hasTimestamp = true;
                out.timestampValue = i32(frame, at + 2);
                out.timestampEcho = i32(frame, at + 6);
            }
            at += length;
        }
    }

    private static boolean tcpChecksumOk(final byte[] frame, final int tcp, final int tcpLength, final TcpSegment out) {
        // The pseudo-header's addresses were read from the IPv4 header into out already.
        int sum = (out.sourceAddress >>> 16)
                + (out.sourceAddress & 0xffff)
                + (out.destinationAddress >>> 16)
                + (out.destinationAddress & 0xffff)
                + PROTOCOL_TCP
                + tcpLength;
        sum = onesComplementSum(frame, tcp, tcpLength, sum);
        return sum == 0xffff;
    }

    /**
     * RFC 1071 sum of {@code length} bytes from {@code offset}, added to {@code initial}, folded to 16 bits. Reads
     * eight bytes at a time: the ones' complement sum of 32-bit words folds to the same 16-bit sum.
     */
    public static int onesComplementSum(final byte[] data, final int offset, final int length, final int initial) {
        long sum = initial & 0xffffffffL;
        final int end = offset + length;
        int at = offset;
        for (; at + 8 <= end; at += 8) {
            final long word = (long) LONG_BIG_ENDIAN.get(data, at);
            sum += (word >>> 32) + (word & 0xffffffffL);
        }
        for (; at + 1 < end; at += 2) {
            sum += ((data[at] & 0xff) << 8) | (data[at + 1] & 0xff);
        }
        if (at < end) {
            sum += (data[at] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    private static DecodeResult truncatedOrMalformed(final int capturedLength, final int wireLength) {
        return capturedLength < wireLength ? DecodeResult.TRUNCATED : DecodeResult.MALFORMED;
    }

    public static int u16(final byte[] data, final int offset) {
        return ((data[offset] & 0xff) << 8) | (data[offset + 1] & 0xff);
    }

    public static int i32(final byte[] data, final int offset) {
        return ((data[offset] & 0xff) << 24)
                | ((data[offset + 1] & 0xff) << 16)
                | ((data[offset + 2] & 0xff) << 8)
                | (data[offset + 3] & 0xff);
    }
}
