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

            assertThat(codec.decode(INDEX, encoded, encoded.length))
                    .as("%s", record)
                    .isEqualTo(record);
            assertThat(codec.checkedConnectionId(INDEX, encoded, encoded.length))
                    .isEqualTo(record.connectionId());
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
                .hasMessage("corrupt record at index 0x79c7c0000002a: length=3, expected 21..1048617");
        assertThatThrownBy(() -> codec.decode(INDEX, new byte[8], LogRecordCodec.MAX_LENGTH + 1))
                .hasMessage("corrupt record at index 0x79c7c0000002a: length=1048618, expected 21..1048617");
    }

    @Test
    void shouldRejectUnknownTypeWhenChecksumMatches() {
        for (final int type : new int[] {0, 10, 255}) {
            final byte[] encoded = withCrc(withByte(encode(Samples.acked(1, 0)), 0, type));

            assertThatThrownBy(() -> codec.decode(INDEX, encoded, encoded.length))
                    .isExactlyInstanceOf(UnderstudyException.class)
                    .hasMessage("corrupt record at index 0x79c7c0000002a: type=" + type + ", expected 1..9");
        }
    }

    @Test
    void shouldKeepPrimaryLayoutLengthsWhenEncoded() {
        assertThat(encode(Samples.primaryRead(1, 1, 0, "abc"))).hasSize(LogRecordCodec.PRIMARY_READ_MIN_LENGTH + 3);
        assertThat(encode(Samples.primaryWrite(1, 1, 0, 3))).hasSize(LogRecordCodec.PRIMARY_WRITE_LENGTH);
        assertThat(encode(Samples.mapping(1, 2))).hasSize(LogRecordCodec.SEQUENCE_MAPPING_LENGTH);
        assertThat(encode(Samples.primaryOpened(1, 1))).hasSize(LogRecordCodec.PRIMARY_OPENED_LENGTH);
        assertThat(encode(Samples.primaryEnded(1, 1, EndKind.CLOSED, -1))).hasSize(LogRecordCodec.PRIMARY_ENDED_LENGTH);
    }

    @Test
    void shouldPutPrimaryFieldsWhereLayoutSaysWhenEncoded() {
        final ByteBuffer read = wrap(encode(Samples.primaryRead(3, 0x1122L, 0x3344L, "xyz")));
        final ByteBuffer mapping = wrap(encode(new SequenceMapping(3, 4, 5, 0xFFFF_FFFFL, 6)));
        final ByteBuffer opened = wrap(encode(
                new PrimaryOpened(3, 4, 9, Samples.CLIENT, 40_001, Samples.VIP, 7, 1448, 7, 9, true, false, true)));
        final ByteBuffer ended = wrap(encode(Samples.primaryEnded(3, 8, EndKind.APP_RESET, 77)));

        assertThat(read.get(0)).isEqualTo((byte) 5);
        assertThat(read.getLong(17)).isEqualTo(0x1122L);
        assertThat(read.getLong(25)).isEqualTo(0x3344L);
        assertThat(read.getInt(33)).isEqualTo(3);
        assertThat(read.get(37)).isEqualTo((byte) 'x');
        assertThat(mapping.get(0)).isEqualTo((byte) 7);
        assertThat(mapping.getLong(17)).isEqualTo(5);
        assertThat(mapping.getInt(25)).isEqualTo(-1);
        assertThat(opened.get(0)).isEqualTo((byte) 8);
        assertThat(opened.getInt(25)).isEqualTo(Samples.CLIENT);
        assertThat(opened.getShort(33)).isEqualTo((short) 40_001);
        assertThat(opened.getInt(37)).isEqualTo(1448);
        assertThat(opened.get(41)).isEqualTo((byte) 7);
        assertThat(opened.get(42)).isEqualTo((byte) 9);
        assertThat(opened.get(43)).as("flags: sack, options known").isEqualTo((byte) 0b101);
        assertThat(ended.get(0)).isEqualTo((byte) 9);
        assertThat(ended.get(25)).isEqualTo((byte) EndKind.APP_RESET.ordinal());
        assertThat(ended.getLong(26)).isEqualTo(77);
    }

    @Test
    void shouldRoundTripMaxLengthReadWhenEncodedAndDecoded() {
        final PrimaryRead read = Samples.maxLengthRead(1, 5);
        final byte[] encoded = encode(read);

        assertThat(encoded).hasSize(LogRecordCodec.MAX_LENGTH);
        assertThat(codec.decode(INDEX, encoded, encoded.length)).isEqualTo(read);
    }

    @Test
    void shouldRejectPrimaryFieldOutOfRangeWhenChecksumMatches() {
        final byte[] badKind = withCrc(withByte(encode(Samples.primaryEnded(1, 1, EndKind.CLOSED, -1)), 25, 5));
        final byte[] zeroSeq = encode(Samples.primaryWrite(1, 1, 0, 1));
        wrap(zeroSeq).putLong(17, 0);
        final byte[] negativeOffset = encode(Samples.primaryRead(1, 1, 0, "ab"));
        wrap(negativeOffset).putLong(25, -2);
        final byte[] negativeLength = encode(Samples.primaryWrite(1, 1, 0, 1));
        wrap(negativeLength).putInt(33, -1);
        final byte[] lyingRead = encode(Samples.primaryRead(1, 1, 0, "abcd"));
        wrap(lyingRead).putInt(33, 5);

        assertThatThrownBy(() -> decode(withCrc(badKind)))
                .hasMessage("corrupt record at index 0x79c7c0000002a: kind=5, expected 0..4");
        assertThatThrownBy(() -> decode(withCrc(zeroSeq)))
                .hasMessage("corrupt record at index 0x79c7c0000002a: seq=0, expected 1..9223372036854775807");
        assertThatThrownBy(() -> decode(withCrc(negativeOffset)))
                .hasMessage(
                        "corrupt record at index 0x79c7c0000002a: streamOffset=-2, expected 0..9223372036854775805");
        assertThatThrownBy(() -> decode(withCrc(negativeLength)))
                .hasMessage("corrupt record at index 0x79c7c0000002a: length=-1, expected 0..2147483647");
        assertThatThrownBy(() -> decode(withCrc(lyingRead)))
                .hasMessage("corrupt record at index 0x79c7c0000002a: type=5, bodyLength=5, expected=4");
    }

    @Test
    void shouldRejectWrongLengthOfFixedPrimaryTypeWhenChecksumMatches() {
        final byte[] longer =
                Arrays.copyOf(encode(Samples.primaryOpened(1, 1)), LogRecordCodec.PRIMARY_OPENED_LENGTH + 1);
        final byte[] shorter = Arrays.copyOf(encode(Samples.mapping(1, 2)), LogRecordCodec.SEQUENCE_MAPPING_LENGTH - 1);

        assertThatThrownBy(() -> decode(withCrc(longer)))
                .hasMessage("corrupt record at index 0x79c7c0000002a: type=8, length=57, expected=56");
        assertThatThrownBy(() -> decode(withCrc(shorter)))
                .hasMessage("corrupt record at index 0x79c7c0000002a: type=7, length=36, expected=37");
    }

    @Test
    void shouldNameCrcWhenPrimaryRecordDamaged() {
        final byte[] read = encode(Samples.primaryRead(1, 1, 0, "abcd"));
        read[38] ^= 1;
        final byte[] crc = encode(Samples.primaryEnded(1, 1, EndKind.CLIENT_FIN, 4));
        crc[crc.length - 1] ^= (byte) 0x80;

        assertThatThrownBy(() -> decode(read)).hasMessageStartingWith("corrupt record at index 0x79c7c0000002a: crc=");
        assertThatThrownBy(() -> decode(crc)).hasMessageStartingWith("corrupt record at index 0x79c7c0000002a: crc=");
    }

    private LogRecord decode(final byte[] encoded) {
        return codec.decode(INDEX, encoded, encoded.length);
    }

    private static ByteBuffer wrap(final byte[] encoded) {
        return ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void shouldRejectFieldOutOfRangeWhenChecksumMatches() {
        final byte[] badScale = withCrc(withByte(encode(Samples.opened(1)), 49, 15));
        final byte[] badDirection = withCrc(withByte(encode(Samples.data(1, 0, "x")), 17, 2));
        final byte[] badReason = withCrc(withByte(encode(Samples.closed(1)), 17, 3));
        final byte[] badFlags = withCrc(withByte(encode(Samples.opened(1)), 51, 0x08));

        assertThatThrownBy(() -> codec.decode(INDEX, badScale, badScale.length))
                .hasMessage(
                        "corrupt record at index 0x79c7c0000002a: clientWindowScale=15, expected -1 (unknown) or 0..14");
        assertThatThrownBy(() -> codec.decode(INDEX, badDirection, badDirection.length))
                .hasMessage("corrupt record at index 0x79c7c0000002a: direction=2, expected 0..1");
        assertThatThrownBy(() -> codec.decode(INDEX, badReason, badReason.length))
                .hasMessage("corrupt record at index 0x79c7c0000002a: reason=3, expected 0..2");
        assertThatThrownBy(() -> codec.decode(INDEX, badFlags, badFlags.length))
                .hasMessage("corrupt record at index 0x79c7c0000002a: flags=0x8, expected bits 0x7");
    }

    @Test
    void shouldKeepAnAdoptedConnectionsLogStartAndReadOldOpenedRecordsAsStartingAtZero() {
        final PrimaryOpened adopted = new PrimaryOpened(
                3, 4, 9, Samples.CLIENT, 40_001, Samples.VIP, 7, 1448, 7, 9, true, true, true, 123_456L);
        final byte[] encoded = encode(adopted);
        assertThat(wrap(encoded).getLong(44)).isEqualTo(123_456L);
        assertThat(codec.decode(INDEX, encoded, encoded.length)).isEqualTo(adopted);

        // As written before the field existed: 48 bytes, the same fields up to the flags.
        final byte[] old = Arrays.copyOf(encoded, LogRecordCodec.PRIMARY_OPENED_V1_LENGTH);
        withCrc(old);
        assertThat(((PrimaryOpened) codec.decode(INDEX, old, old.length)).clientStartOffset())
                .isZero();
        assertThat(codec.decode(INDEX, old, old.length))
                .isEqualTo(new PrimaryOpened(
                        3, 4, 9, Samples.CLIENT, 40_001, Samples.VIP, 7, 1448, 7, 9, true, true, true));

        final byte[] negative = withCrc(encode(adopted));
        wrap(negative).putLong(44, -1);
        withCrc(negative);
        assertThatThrownBy(() -> codec.decode(INDEX, negative, negative.length))
                .hasMessageStartingWith("corrupt record at index 0x79c7c0000002a: clientStartOffset=-1");
    }

    @Test
    void shouldRejectPrimaryOpenedWithBadOptionsWhenChecksumMatches() {
        final byte[] badFlags = withCrc(withByte(encode(Samples.primaryOpened(1, 1)), 43, 0x10));
        final byte[] badScale = withCrc(withByte(encode(Samples.primaryOpened(1, 1)), 42, 15));

        assertThatThrownBy(() -> codec.decode(INDEX, badFlags, badFlags.length))
                .hasMessage("corrupt record at index 0x79c7c0000002a: flags=0x10, expected bits 0x7");
        assertThatThrownBy(() -> codec.decode(INDEX, badScale, badScale.length))
                .hasMessageStartingWith("corrupt record at index 0x79c7c0000002a: serverWindowScale=15");
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
        ByteBuffer.wrap(encoded)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(encoded.length - 4, crc(encoded, encoded.length - 4));
        return encoded;
    }

    private static int crc(final byte[] bytes, final int length) {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }
}
