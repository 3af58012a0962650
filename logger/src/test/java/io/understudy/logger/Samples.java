package io.understudy.logger;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Records for tests: one of each kind, plus the edge values of every field. */
final class Samples {
    static final int CLIENT = 0xC612_0002; // 198.18.0.2
    static final int VIP = 0xC612_0064; // 198.18.0.100

    private Samples() {}

    static ConnectionOpened opened(final long connectionId) {
        return new ConnectionOpened(
                connectionId,
                1_000L,
                CLIENT,
                40_001,
                VIP,
                7_000,
                true,
                0x1234_5678L,
                0x9ABC_DEF0L,
                1_460,
                7,
                9,
                true,
                true);
    }

    static StreamData data(final long connectionId, final long offset, final String text) {
        return new StreamData(
                connectionId,
                2_000L + offset,
                Direction.CLIENT_TO_SERVER,
                offset,
                text.getBytes(StandardCharsets.US_ASCII));
    }

    static StreamAcked acked(final long connectionId, final long offset) {
        return new StreamAcked(
                connectionId,
                3_000L + offset,
                Direction.CLIENT_TO_SERVER,
                offset,
                (0x1234_5679L + offset) & 0xFFFF_FFFFL,
                65_535L << 7);
    }

    static ConnectionClosed closed(final long connectionId) {
        return new ConnectionClosed(connectionId, 9_000L, CloseReason.FIN_BOTH, "fin from client, then server");
    }

    static PrimaryOpened primaryOpened(final long connectionId, final long seq) {
        return new PrimaryOpened(connectionId, 10_000L + seq, seq, CLIENT, 40_001, VIP, 7_000);
    }

    static PrimaryRead primaryRead(final long connectionId, final long seq, final long offset, final String text) {
        return new PrimaryRead(connectionId, 10_000L + seq, seq, offset, text.getBytes(StandardCharsets.US_ASCII));
    }

    static PrimaryWrite primaryWrite(final long connectionId, final long seq, final long offset, final int length) {
        return new PrimaryWrite(connectionId, 10_000L + seq, seq, offset, length);
    }

    static PrimaryEnded primaryEnded(final long connectionId, final long seq, final EndKind kind, final long offset) {
        return new PrimaryEnded(connectionId, 10_000L + seq, seq, kind, offset);
    }

    static SequenceMapping mapping(final long connectionId, final long tapConnectionId) {
        return new SequenceMapping(connectionId, 20_000L, tapConnectionId, 0x1234_5678L, 0x9ABC_DEF0L);
    }

    /** A read of the most bytes a record carries, each byte different from its neighbours. */
    static PrimaryRead maxLengthRead(final long connectionId, final long seq) {
        final byte[] bytes = new byte[StreamData.MAX_LENGTH];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 13 + 1);
        }
        return new PrimaryRead(connectionId, 1, seq, Long.MAX_VALUE - bytes.length, bytes);
    }

    /** Every kind, with the smallest, largest and unknown values each field allows. */
    static List<LogRecord> everyKindAndEdge() {
        final byte[] large = new byte[64 * 1024];
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i * 31 + 7);
        }
        return List.of(
                opened(1),
                new ConnectionOpened(
                        Long.MAX_VALUE,
                        Long.MAX_VALUE,
                        -1,
                        65_535,
                        -1,
                        65_535,
                        true,
                        0xFFFF_FFFFL,
                        0xFFFF_FFFFL,
                        65_535,
                        14,
                        14,
                        true,
                        true),
                new ConnectionOpened(
                        Long.MIN_VALUE, Long.MIN_VALUE, 0, 0, 0, 0, false, -1, -1, -1, -1, -1, false, false),
                new ConnectionOpened(3, 0, CLIENT, 1, VIP, 2, true, 0, 0, 0, 0, 0, false, true),
                data(1, 0, "INCR counter\n"),
                new StreamData(2, 0, Direction.SERVER_TO_CLIENT, 0, new byte[0]),
                new StreamData(2, -5, Direction.SERVER_TO_CLIENT, Long.MAX_VALUE - large.length, large),
                acked(1, 13),
                new StreamAcked(4, 1, Direction.SERVER_TO_CLIENT, Long.MAX_VALUE, 0xFFFF_FFFFL, StreamAcked.MAX_WINDOW),
                new StreamAcked(4, 1, Direction.CLIENT_TO_SERVER, 0, 0, 0),
                closed(1),
                new ConnectionClosed(5, 0, CloseReason.RESET, ""),
                new ConnectionClosed(6, 0, CloseReason.EVICTED, "idle \u00e9\u00e8 " + "x".repeat(1000)),
                primaryOpened(7, 1),
                new PrimaryOpened(Long.MIN_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, -1, 65_535, -1, 65_535),
                new PrimaryOpened(7, 0, 1, 0, 0, 0, 0),
                new PrimaryOpened(7, 0, 2, 0, 1, 0, 2, 1448, 7, 14, true, true, true),
                new PrimaryOpened(7, 0, 3, 0, 1, 0, 2, 536, -1, -1, false, false, true),
                primaryRead(7, 2, 0, "GET /\r\n"),
                new PrimaryRead(7, 0, 3, 0, new byte[0]),
                new PrimaryRead(7, -1, Long.MAX_VALUE, Long.MAX_VALUE - large.length, large),
                new PrimaryRead(7, -1, 4, Long.MAX_VALUE, new byte[0]),
                primaryWrite(7, 5, 0, 0),
                primaryWrite(7, 6, 0, 1_460),
                new PrimaryWrite(7, 0, Long.MAX_VALUE, Long.MAX_VALUE - Integer.MAX_VALUE, Integer.MAX_VALUE),
                new PrimaryWrite(7, 0, 7, Long.MAX_VALUE, 0),
                mapping(7, 70),
                new SequenceMapping(7, 0, Long.MIN_VALUE, 0, 0),
                new SequenceMapping(7, 0, Long.MAX_VALUE, 0xFFFF_FFFFL, 0xFFFF_FFFFL),
                primaryEnded(7, 8, EndKind.CLIENT_FIN, 9),
                primaryEnded(7, 9, EndKind.APP_FIN, 0),
                primaryEnded(7, 10, EndKind.CLOSED, -1),
                primaryEnded(7, 11, EndKind.CLIENT_RESET, Long.MAX_VALUE),
                primaryEnded(7, 12, EndKind.APP_RESET, -1));
    }
}
