package io.understudy.backup.track;

import io.understudy.backup.capture.DecodeResult;
import io.understudy.backup.capture.FrameDecoder;
import java.nio.ByteBuffer;

/**
 * Builds Ethernet/IPv4/TCP frames with correct checksums, for tests that feed the decoder and tracker by hand.
 */
public final class Frames {
    public static final int CLIENT = 0xC6120001; // 198.18.0.1
    public static final int SERVER = 0xC6120064; // 198.18.0.100
    public static final int CLIENT_PORT = 40000;
    public static final int SERVICE_PORT = 7070;

    private int sourceAddress = CLIENT;
    private int destinationAddress = SERVER;
    private int sourcePort = CLIENT_PORT;
    private int destinationPort = SERVICE_PORT;
    private int sequence;
    private int acknowledgement;
    private int flags = TcpSegment.ACK;
    private int window = 502;
    private byte[] options = new byte[0];
    private byte[] payload = new byte[0];

    public static Frames fromClient() {
        return new Frames();
    }

    /** A whole handshake: SYN (MSS 1460, wscale 7), SYN-ACK (MSS 1400, wscale 9), the client's ACK. */
    public static java.util.List<Frames> handshake(final long clientIsn, final long serverIsn) {
        return java.util.List.of(
                fromClient().seq(clientIsn).flags(TcpSegment.SYN).synOptions(1460, 7, 100, 0),
                synAck(clientIsn, serverIsn),
                fromClient().seq(clientIsn + 1).ack(serverIsn + 1));
    }

    /** The server's SYN-ACK of a handshake (MSS 1400, wscale 9). */
    public static Frames synAck(final long clientIsn, final long serverIsn) {
        return fromServer()
                .seq(serverIsn)
                .ack(clientIsn + 1)
                .flags(TcpSegment.SYN | TcpSegment.ACK)
                .synOptions(1400, 9, 200, 100);
    }

    public static Frames fromServer() {
        final Frames frames = new Frames();
        frames.sourceAddress = SERVER;
        frames.destinationAddress = CLIENT;
        frames.sourcePort = SERVICE_PORT;
        frames.destinationPort = CLIENT_PORT;
        return frames;
    }

    /** Another port for the client's end, in either direction: another connection from the same client. */
    public Frames clientPort(final int port) {
        if (sourcePort == SERVICE_PORT) {
            destinationPort = port;
        } else {
            sourcePort = port;
        }
        return this;
    }

    public Frames seq(final long value) {
        sequence = (int) value;
        return this;
    }

    public Frames ack(final long value) {
        acknowledgement = (int) value;
        return this;
    }

    public Frames flags(final int value) {
        flags = value;
        return this;
    }

    public Frames window(final int value) {
        window = value;
        return this;
    }

    public Frames payload(final String text) {
        payload = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return this;
    }

    public Frames payload(final byte[] bytes) {
        payload = bytes.clone();
        return this;
    }

    /** SYN options as Linux sends them: MSS, SACK permitted, timestamps, window scale. */
    public Frames synOptions(final int mss, final int windowScale, final int tsVal, final int tsEcr) {
        final ByteBuffer buffer = ByteBuffer.allocate(20);
        buffer.put((byte) 2).put((byte) 4).putShort((short) mss);
        buffer.put((byte) 4).put((byte) 2);
        buffer.put((byte) 8).put((byte) 10).putInt(tsVal).putInt(tsEcr);
        buffer.put((byte) 1).put((byte) 3).put((byte) 3).put((byte) windowScale);
        options = buffer.array();
        return this;
    }

    public Frames timestamps(final int tsVal, final int tsEcr) {
        final ByteBuffer buffer = ByteBuffer.allocate(12);
        buffer.put((byte) 1)
                .put((byte) 1)
                .put((byte) 8)
                .put((byte) 10)
                .putInt(tsVal)
                .putInt(tsEcr);
        options = buffer.array();
        return this;
    }

    public byte[] build() {
        final int tcpLength = 20 + options.length + payload.length;
        final int ipLength = 20 + tcpLength;
        final ByteBuffer frame = ByteBuffer.allocate(14 + ipLength);
        frame.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        frame.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) ipLength)
                .putShort((short) 1)
                .putShort((short) 0x4000);
        frame.put((byte) 64)
                .put((byte) 6)
                .putShort((short) 0)
                .putInt(sourceAddress)
                .putInt(destinationAddress);
        frame.putShort((short) sourcePort)
                .putShort((short) destinationPort)
                .putInt(sequence)
                .putInt(acknowledgement);
        frame.put((byte) (((20 + options.length) / 4) << 4)).put((byte) flags).putShort((short) window);
        frame.putShort((short) 0).putShort((short) 0).put(options).put(payload);
        final byte[] bytes = frame.array();
        final int ipChecksum = ~FrameDecoder.onesComplementSum(bytes, 14, 20, 0) & 0xffff;
        bytes[24] = (byte) (ipChecksum >>> 8);
        bytes[25] = (byte) ipChecksum;
        final int pseudo = (sourceAddress >>> 16)
                + (sourceAddress & 0xffff)
                + (destinationAddress >>> 16)
                + (destinationAddress & 0xffff)
                + 6
                + tcpLength;
        final int tcpChecksum = ~FrameDecoder.onesComplementSum(bytes, 34, tcpLength, pseudo) & 0xffff;
        bytes[34 + 16] = (byte) (tcpChecksum >>> 8);
        bytes[34 + 17] = (byte) tcpChecksum;
        return bytes;
    }

    /** Decodes this frame (it must be a TCP segment) and hands it to {@code tracker} at {@code nowNs}. */
    public void feedTo(final TcpTracker tracker, final long nowNs) {
        final byte[] frame = build();
        final TcpSegment segment = new TcpSegment();
        final DecodeResult result = new FrameDecoder(FrameDecoder.LINKTYPE_ETHERNET, true)
                .decode(frame, frame.length, frame.length, segment);
        if (result != DecodeResult.TCP) {
            throw new IllegalStateException("not a TCP segment: " + result);
        }
        tracker.onSegment(segment, nowNs);
    }

    public static byte[] ascii(final String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
