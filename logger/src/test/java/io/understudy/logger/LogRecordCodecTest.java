package io.understudy.logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class LogRecordCodecTest {
    private static final long INDEX = 0x79c7c0000002aL;

    private final LogRecordCodec codec = new LogRecordCodec();

    @Test
    void shouldRoundTripEveryRecordKindWhenEncodedAndDecoded() {
        for (final LogRecord record : Samples.everyKindAndEdge()) {
            final byte[] encoded = encode(record);

            assertThat(codec.decode(INDEX, encoded, encoded.length)).as("%s", record).isEqualTo(record);
            assertThat(codec.checkedConnectionId(INDEX, encoded, encoded.length)).isEqualTo(record.connectionId());
        }
    }

    @Test
    void shouldKeepLayoutLengthsWhenEncoded() {
        assertThat(encode(Samples.opened(1))).hasSize(LogRecordCodec.CONNECTION_OPENED_LENGTH);
        assertThat(encode(Samples.data(1, 0, "abc"))).hasSize(LogRecordCodec.STREAM_DATA_MIN_LENGTH + 3);
        assertThat(encode(Samples.acked(1, 0))).hasSize(LogRecordCodec.STREAM_ACKED_LENGTH);
        assertThat(encode(new ConnectionClosed(1, 0, CloseReason.RESET, "ab")))
            .hasSize(LogRecordCodec.CONNECTION_CLOSED_MIN_LENGTH + 2);
    }

    @Test
    void shouldPutTypeIdsAndCrcWhereLayoutSaysWhenEncoded() {
        final byte[] encoded = encode(Samples.acked(0x0102030405060708L, 5));
        final ByteBuffer in = ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN);

        assertThat(in.get(0)).isEqualTo((byte) LogRecordCodec.TYPE_STREAM_ACKED);
        assertThat(in.getLong(1)).isEqualTo(0x0102030405060708L);
        assertThat(in.getInt(encoded.length - 4)).isEqualTo(crc(encoded, encoded.length - 4));
    }

    @Test
    void shouldRejectEveryFlippedBitWhenDecoded() {
        for (final LogRecord record : Samples.everyKindAndEdge()) {
            final byte[] encoded = encode(record);
            final int step = Math.max(1, encoded.length / 512); // every byte of small records, a sample of large
            for (int position = 0; position < encoded.length; position += step) {
                for (int bit = 0; bit < 8; bit++) {
                    final byte[] damaged = encoded.clone();
                    damaged[position] ^= (byte) (1 << bit);

                    assertThatThrownBy(() -> codec.decode(INDEX, damaged, damaged.length))
                        .as("%s byte %d bit %d", record, position, bit)
                        .isExactlyInstanceOf(UnderstudyException.class)
                        .hasMessageStartingWith("corrupt record at index 0x79c7c0000002a: crc=");
                }
            }
        }
    }

    @Test
    void shouldRejectEveryTruncationWhenDecoded() {
        for (final LogRecord record : Samples.everyKindAndEdge()) {
            final byte[] encoded = encode(record);
            final int step = Math.max(1, encoded.length / 512);
            for (int length = 0; length < encoded.length; length += step) {
                final byte[] truncated = Arrays.copyOf(encoded, length);
                final int finalLength = length;

                assertThatThrownBy(() -> codec.decode(INDEX, truncated, finalLength))
                    .as("%s cut to %d", record, length)
                    .isExactlyInstanceOf(UnderstudyException.class)
                    .hasMessageStartingWith("corrupt record at index 0x79c7c0000002a: ");
            }
        }
    }

    @Test
    void shouldNameLengthWhenDocumentTooShortOrTooLong() {
        assertThatThrownBy(() -> codec.decode(INDEX, new byte[3], 3))
            .hasMessage("corrupt record at index 0x79c7c0000002a: length=3, expected 21..1048610");
        assertThatThrownBy(() -> codec.decode(INDEX, new byte[8], LogRecordCodec.MAX_LENGTH + 1))
            .hasMessage("corrupt record at index 0x79c7c0000002a: length=1048611, expected 21..1048610");
    }

    @Test
    void shouldRejectUnknownTypeWhenChecksumMatches() {
        final byte[] encoded = withCrc(withByte(encode(Samples.acked(1, 0)), 0, 9));

        assertThatThrownBy(() -> codec.decode(INDEX, encoded, encoded.length))
            .hasMessage("corrupt record at index 0x79c7c0000002a: type=9, expected 1..4");
    }

    @Test
    void shouldReportReservedTypeAsUnsupportedWhenChecksumMatches() {
        for (final int type : new int[] {5, 6, 7}) {
            final byte[] encoded = withCrc(withByte(encode(Samples.acked(1, 0)), 0, type));

            assertThatThrownBy(() -> codec.decode(INDEX, encoded, encoded.length))
                .isExactlyInstanceOf(UnderstudyException.class)
                .hasMessageStartingWith("unsupported record at index 0x79c7c0000002a: type=" + type + " is reserved");
        }
    }

    @Test
    void shouldRejectFieldOutOfRangeWhenChecksumMatches() {
        final byte[] badScale = withCrc(withByte(encode(Samples.opened(1)), 49, 15));
        final byte[] badDirection = withCrc(withByte(encode(Samples.data(1, 0, "x")), 17, 2));
        final byte[] badReason = withCrc(withByte(encode(Samples.closed(1)), 17, 3));
        final byte[] badFlags = withCrc(withByte(encode(Samples.opened(1)), 51, 0x08));

        assertThatThrownBy(() -> codec.decode(INDEX, badScale, badScale.length)).hasMessage(
            "corrupt record at index 0x79c7c0000002a: clientWindowScale=15, expected -1 (unknown) or 0..14");
        assertThatThrownBy(() -> codec.decode(INDEX, badDirection, badDirection.length))
            .hasMessage("corrupt record at index 0x79c7c0000002a: direction=2, expected 0..1");
        assertThatThrownBy(() -> codec.decode(INDEX, badReason, badReason.length))
            .hasMessage("corrupt record at index 0x79c7c0000002a: reason=3, expected 0..2");
        assertThatThrownBy(() -> codec.decode(INDEX, badFlags, badFlags.length))
            .hasMessage("corrupt record at index 0x79c7c0000002a: flags=0x8, expected bits 0x7");
    }

    @Test
    void shouldRejectBodyLengthThatDisagreesWithDocumentWhenChecksumMatches() {
        final byte[] encoded = encode(Samples.data(1, 0, "abcd"));
        ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN).putInt(26, 1_000);
        final byte[] lying = withCrc(encoded);

        assertThatThrownBy(() -> codec.decode(INDEX, lying, lying.length))
            .hasMessage("corrupt record at index 0x79c7c0000002a: type=2, bodyLength=1000, expected=4");
    }

    @Test
    void shouldReuseBufferWhenRecordsShrinkAndGrow() {
        final LogRecord large = new StreamData(1, 0, Direction.CLIENT_TO_SERVER, 0, new byte[100_000]);
        final LogRecord small = Samples.acked(1, 0);

        assertThat(decodeAfterEncode(large)).isEqualTo(large);
        assertThat(decodeAfterEncode(small)).isEqualTo(small);
        assertThat(decodeAfterEncode(large)).isEqualTo(large);
    }

    private LogRecord decodeAfterEncode(final LogRecord record) {
        final int length = codec.encode(record);
        return new LogRecordCodec().decode(INDEX, codec.buffer(), length);
    }

    private byte[] encode(final LogRecord record) {
        final int length = codec.encode(record);
        return Arrays.copyOf(codec.buffer(), length);
    }

    private static byte[] withByte(final byte[] encoded, final int position, final int value) {
        encoded[position] = (byte) value;
        return encoded;
    }

    /** Rewrites the trailing checksum, as a writer of a wrong but intact record would. */
    private static byte[] withCrc(final byte[] encoded) {
        ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(encoded.length - 4, crc(encoded, encoded.length - 4));
        return encoded;
    }

    private static int crc(final byte[] bytes, final int length) {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }
}
