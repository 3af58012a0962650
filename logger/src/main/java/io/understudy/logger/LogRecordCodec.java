package io.understudy.logger;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * Encodes a {@link LogRecord} as the raw bytes of one Chronicle Queue document, and decodes them back only when
 * their length and checksum prove them intact. Little-endian; every document starts with the same header and
 * ends with a CRC32C of everything before it:
 * <pre>
 *   offset  field         type
 *   ------  ------------  ----
 *        0  type          u8    1..9 (see {@link LogRecord})
 *        1  connectionId  i64
 *        9  timestampNs   i64
 *       17  (body by type, below)
 *   last 4  crc32c        u32   over bytes [0, length - 4)
 * </pre>
 * Bodies, by type:
 * <pre>
 *   1 ConnectionOpened, 56 bytes
 *     17  clientAddress      i32
 *     21  serverAddress      i32
 *     25  clientPort         u16
 *     27  serverPort         u16
 *     29  clientIsn          i64   -1 unknown, else unsigned 32-bit
 *     37  serverIsn          i64   -1 unknown, else unsigned 32-bit
 *     45  mss                i32   -1 unknown
 *     49  clientWindowScale  i8    -1 unknown
 *     50  serverWindowScale  i8    -1 unknown
 *     51  flags              u8    bit 0 handshakeSeen, bit 1 sackPermitted, bit 2 timestamps
 *
 *   2 StreamData, 34 + n bytes
 *     17  direction          u8    0 CLIENT_TO_SERVER, 1 SERVER_TO_CLIENT
 *     18  streamOffset       i64
 *     26  length             i32   n, 0..1 MiB
 *     30  bytes              n bytes
 *
 *   3 StreamAcked, 38 bytes
 *     17  direction          u8    as in StreamData
 *     18  ackedOffset        i64
 *     26  rawAck             u32
 *     30  window             u32   scaled bytes
 *
 *   4 ConnectionClosed, 26 + n bytes
 *     17  reason             u8    0 FIN_BOTH, 1 RESET, 2 EVICTED
 *     18  detailLength       i32   n, 0..1024
 *     22  detail             n bytes of UTF-8
 *
 *   5 PrimaryRead, 41 + n bytes
 *     17  seq                i64   > 0
 *     25  streamOffset       i64   client stream offset of the first byte
 *     33  length             i32   n, 0..1 MiB
 *     37  bytes              n bytes
 *
 *   6 PrimaryWrite, 41 bytes
 *     17  seq                i64   > 0
 *     25  streamOffset       i64   server stream offset of the first byte
 *     33  length             i32   0 or more
 *
 *   7 SequenceMapping, 37 bytes
 *     17  tapConnectionId    i64
 *     25  clientIsn          u32
 *     29  serverIsn          u32
 *
 *   8 PrimaryOpened, 56 bytes (48 before clientStartOffset: read as 0)
 *     17  seq                i64   > 0
 *     25  clientAddress      i32
 *     29  serverAddress      i32
 *     33  clientPort         u16
 *     35  serverPort         u16
 *     37  mss                i32   -1 unknown
 *     41  clientWindowScale  i8    -1 unknown or not negotiated
 *     42  serverWindowScale  i8    -1 unknown or not negotiated
 *     43  flags              u8    bit 0 sackPermitted, bit 1 timestamps, bit 2 optionsKnown
 *     44  clientStartOffset  i64   >= 0
 *
 *   9 PrimaryEnded, 38 bytes
 *     17  seq                i64   > 0
 *     25  kind               u8    0 CLIENT_FIN, 1 APP_FIN, 2 CLOSED, 3 CLIENT_RESET, 4 APP_RESET
 *     26  streamOffset       i64   -1 when not meaningful
 * </pre>
 * Enum codes are fixed by the declaration order of {@link Direction}, {@link CloseReason} and {@link EndKind}:
 * append, never reorder. One instance per thread: it reuses its buffer and checksum.
 */
final class LogRecordCodec {
    static final int TYPE_CONNECTION_OPENED = 1;
    static final int TYPE_STREAM_DATA = 2;
    static final int TYPE_STREAM_ACKED = 3;
    static final int TYPE_CONNECTION_CLOSED = 4;
    static final int TYPE_PRIMARY_READ = 5;
    static final int TYPE_PRIMARY_WRITE = 6;
    static final int TYPE_SEQUENCE_MAPPING = 7;
    static final int TYPE_PRIMARY_OPENED = 8;
    static final int TYPE_PRIMARY_ENDED = 9;
    static final int LAST_TYPE = TYPE_PRIMARY_ENDED;

    /** The index to decode with when the bytes came over the network, not from the log. */
    static final long ON_THE_WIRE = Long.MIN_VALUE;

    static final int HEADER_LENGTH = 17;
    static final int CRC_LENGTH = 4;
    static final int MIN_LENGTH = HEADER_LENGTH + CRC_LENGTH;
    static final int CONNECTION_OPENED_LENGTH = 56;
    static final int STREAM_DATA_MIN_LENGTH = 34;
    static final int STREAM_ACKED_LENGTH = 38;
    static final int CONNECTION_CLOSED_MIN_LENGTH = 26;
    static final int PRIMARY_READ_MIN_LENGTH = 41;
    static final int PRIMARY_WRITE_LENGTH = 41;
    static final int SEQUENCE_MAPPING_LENGTH = 37;
    static final int PRIMARY_OPENED_LENGTH = 56;
    /** A PrimaryOpened written before clientStartOffset existed (an event log kept across the upgrade). */
    static final int PRIMARY_OPENED_V1_LENGTH = 48;

    static final int PRIMARY_ENDED_LENGTH = 38;
    static final int MAX_LENGTH = PRIMARY_READ_MIN_LENGTH + StreamData.MAX_LENGTH;

    private static final int FLAG_HANDSHAKE_SEEN = 1;
    private static final int FLAG_SACK_PERMITTED = 2;
    private static final int FLAG_TIMESTAMPS = 4;
    private static final int ALL_FLAGS = FLAG_HANDSHAKE_SEEN | FLAG_SACK_PERMITTED | FLAG_TIMESTAMPS;
    private static final int OPENED_SACK = 1;
    private static final int OPENED_TIMESTAMPS = 2;
    private static final int OPENED_KNOWN = 4;
    private static final int OPENED_ALL_FLAGS = OPENED_SACK | OPENED_TIMESTAMPS | OPENED_KNOWN;
    private static final Direction[] DIRECTIONS = Direction.values();
    private static final CloseReason[] CLOSE_REASONS = CloseReason.values();
    private static final EndKind[] END_KINDS = EndKind.values();
    /** Lengths of the fixed-size types, by type code; 0 for variable-size ones. */
    private static final int[] FIXED_LENGTHS = {
        0,
        CONNECTION_OPENED_LENGTH,
        0,
        STREAM_ACKED_LENGTH,
        0,
        0,
        PRIMARY_WRITE_LENGTH,
        SEQUENCE_MAPPING_LENGTH,
        PRIMARY_OPENED_LENGTH,
        PRIMARY_ENDED_LENGTH
    };

    private final CRC32C crc = new CRC32C();
    private ByteBuffer buffer = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);

    /** Encodes into this codec's buffer, from offset 0; returns the length. Valid until the next call. */
    int encode(final LogRecord record) {
        final byte[] detail =
                record instanceof ConnectionClosed closed ? closed.detail().getBytes(StandardCharsets.UTF_8) : null;
        final int length = encodedLength(record, detail);
        ensureCapacity(length);
        final ByteBuffer out = buffer.clear();
        out.put((byte) typeOf(record)).putLong(record.connectionId()).putLong(record.timestampNs());
        if (record instanceof ShippedRecord shipped) {
            putShippedBody(out, shipped);
        } else if (record instanceof ConnectionOpened opened) {
            putBody(out, opened);
        } else if (record instanceof StreamData data) {
            out.put((byte) data.direction().ordinal())
                    .putLong(data.streamOffset())
                    .putInt(data.length());
            out.put(data.data().noCopy());
        } else if (record instanceof StreamAcked acked) {
            out.put((byte) acked.direction().ordinal()).putLong(acked.ackedOffset());
            out.putInt((int) acked.rawAck()).putInt((int) acked.window());
        } else if (record instanceof SequenceMapping mapping) {
            out.putLong(mapping.tapConnectionId())
                    .putInt((int) mapping.clientIsn())
                    .putInt((int) mapping.serverIsn());
        } else {
            out.put((byte) ((ConnectionClosed) record).reason().ordinal())
                    .putInt(detail.length)
                    .put(detail);
        }
        out.putInt(checksum(buffer.array(), length - CRC_LENGTH));
        return length;
    }

    /** The buffer {@link #encode(LogRecord)} wrote into. */
    byte[] buffer() {
        return buffer.array();
    }

    /**
     * Decodes one document's bytes, read at {@code index} of the log.
     *
     * @throws UnderstudyException naming the index when the bytes are not an intact record of a known type.
     */
    LogRecord decode(final long index, final byte[] bytes, final int length) {
        return decodeChecked(index, check(index, bytes, length), length);
    }

    /**
     * Checks one document's length and checksum and returns its connection, without building the record.
     *
     * @throws UnderstudyException naming the index when the bytes are not intact.
     */
    long checkedConnectionId(final long index, final byte[] bytes, final int length) {
        return check(index, bytes, length).getLong(1);
    }

    private ByteBuffer check(final long index, final byte[] bytes, final int length) {
        if (length < MIN_LENGTH || length > MAX_LENGTH || length > bytes.length) {
            throw corrupt(index, "length=" + length + ", expected " + MIN_LENGTH + ".." + MAX_LENGTH);
        }
        final ByteBuffer in = ByteBuffer.wrap(bytes, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        final int storedCrc = in.getInt(length - CRC_LENGTH);
        final int actualCrc = checksum(bytes, length - CRC_LENGTH);
        if (storedCrc != actualCrc) {
            throw corrupt(
                    index,
                    "crc=0x" + Integer.toHexString(storedCrc) + ", expected=0x" + Integer.toHexString(actualCrc));
        }
        return in;
    }

    /**
     * The seq of an intact document (checked by {@link #checkedConnectionId}) when it is a {@link ShippedRecord},
     * else 0. Every shipped type keeps its seq at offset 17.
     */
    static long shippedSeq(final byte[] bytes, final int length) {
        return isShipped(bytes) && length >= HEADER_LENGTH + Long.BYTES
                ? ByteBuffer.wrap(bytes, 0, length)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getLong(HEADER_LENGTH)
                : 0;
    }

    /** Whether encoded bytes hold a {@link ShippedRecord} (a type a primary ships), by their type byte. */
    static boolean isShipped(final byte[] bytes) {
        return isShippedType(bytes[0] & 0xFF);
    }

    /** Whether a record's type byte is that of a {@link ShippedRecord}. */
    static boolean isShippedType(final int type) {
        return type == TYPE_PRIMARY_READ
                || type == TYPE_PRIMARY_WRITE
                || type == TYPE_PRIMARY_OPENED
                || type == TYPE_PRIMARY_ENDED;
    }

    /** A Chronicle index as people read it: hex (cycle in the high bits), or -1 for none. */
    static String indexName(final long index) {
        return index < 0 ? Long.toString(index) : "0x" + Long.toHexString(index);
    }

    private LogRecord decodeChecked(final long index, final ByteBuffer in, final int length) {
        final int type = in.get(0) & 0xFF;
        final long connectionId = in.getLong(1);
        final long timestampNs = in.getLong(9);
        switch (type) {
            case TYPE_CONNECTION_OPENED:
                expectLength(index, type, length, CONNECTION_OPENED_LENGTH);
                return decodeOpened(index, in, connectionId, timestampNs);
            case TYPE_STREAM_DATA:
                return decodeData(index, in, length, connectionId, timestampNs);
            case TYPE_STREAM_ACKED:
                expectLength(index, type, length, STREAM_ACKED_LENGTH);
                final Direction direction = direction(index, in.get(17));
                return build(
                        index,
                        () -> new StreamAcked(
                                connectionId,
                                timestampNs,
                                direction,
                                in.getLong(18),
                                Integer.toUnsignedLong(in.getInt(26)),
                                Integer.toUnsignedLong(in.getInt(30))));
            case TYPE_CONNECTION_CLOSED:
                return decodeClosed(index, in, length, connectionId, timestampNs);
            default:
                return decodeLaterTypes(index, in, length, type);
        }
    }

    /** Decodes types 5 and up: the primary's records and the backup's sequence mapping. */
    private static LogRecord decodeLaterTypes(final long index, final ByteBuffer in, final int length, final int type) {
        final long connectionId = in.getLong(1);
        final long timestampNs = in.getLong(9);
        switch (type) {
            case TYPE_PRIMARY_READ:
                return decodeRead(index, in, length, connectionId, timestampNs);
            case TYPE_PRIMARY_WRITE:
                expectLength(index, type, length, PRIMARY_WRITE_LENGTH);
                return build(
                        index,
                        () -> new PrimaryWrite(
                                connectionId, timestampNs, in.getLong(17), in.getLong(25), in.getInt(33)));
            case TYPE_SEQUENCE_MAPPING:
                expectLength(index, type, length, SEQUENCE_MAPPING_LENGTH);
                return build(
                        index,
                        () -> new SequenceMapping(
                                connectionId,
                                timestampNs,
                                in.getLong(17),
                                Integer.toUnsignedLong(in.getInt(25)),
                                Integer.toUnsignedLong(in.getInt(29))));
            case TYPE_PRIMARY_OPENED:
                if (length != PRIMARY_OPENED_V1_LENGTH) {
                    expectLength(index, type, length, PRIMARY_OPENED_LENGTH);
                }
                final long clientStart = length == PRIMARY_OPENED_V1_LENGTH ? 0 : in.getLong(44);
                final int openedFlags = in.get(43) & 0xFF;
                if ((openedFlags & ~OPENED_ALL_FLAGS) != 0) {
                    throw corrupt(
                            index,
                            "flags=0x" + Integer.toHexString(openedFlags) + ", expected bits 0x"
                                    + Integer.toHexString(OPENED_ALL_FLAGS));
                }
                return build(
                        index,
                        () -> new PrimaryOpened(
                                connectionId,
                                timestampNs,
                                in.getLong(17),
                                in.getInt(25),
                                Short.toUnsignedInt(in.getShort(33)),
                                in.getInt(29),
                                Short.toUnsignedInt(in.getShort(35)),
                                in.getInt(37),
                                in.get(41),
                                in.get(42),
                                (openedFlags & OPENED_SACK) != 0,
                                (openedFlags & OPENED_TIMESTAMPS) != 0,
                                (openedFlags & OPENED_KNOWN) != 0,
                                clientStart));
            case TYPE_PRIMARY_ENDED:
                expectLength(index, type, length, PRIMARY_ENDED_LENGTH);
                final EndKind kind = endKind(index, in.get(25));
                return build(
                        index, () -> new PrimaryEnded(connectionId, timestampNs, in.getLong(17), kind, in.getLong(26)));
            default:
                throw corrupt(index, "type=" + type + ", expected 1.." + LAST_TYPE);
        }
    }

    private static void putShippedBody(final ByteBuffer out, final ShippedRecord shipped) {
        out.putLong(shipped.seq());
        if (shipped instanceof PrimaryRead read) {
            out.putLong(read.streamOffset())
                    .putInt(read.length())
                    .put(read.data().noCopy());
        } else if (shipped instanceof PrimaryWrite write) {
            out.putLong(write.streamOffset()).putInt(write.length());
        } else if (shipped instanceof PrimaryOpened opened) {
            out.putInt(opened.clientAddress())
                    .putInt(opened.serverAddress())
                    .putShort((short) opened.clientPort())
                    .putShort((short) opened.serverPort())
                    .putInt(opened.mss())
                    .put((byte) opened.clientWindowScale())
                    .put((byte) opened.serverWindowScale())
                    .put((byte) ((opened.sackPermitted() ? OPENED_SACK : 0)
                            | (opened.timestamps() ? OPENED_TIMESTAMPS : 0)
                            | (opened.optionsKnown() ? OPENED_KNOWN : 0)))
                    .putLong(opened.clientStartOffset());
        } else {
            final PrimaryEnded ended = (PrimaryEnded) shipped;
            out.put((byte) ended.kind().ordinal()).putLong(ended.streamOffset());
        }
    }

    private static PrimaryRead decodeRead(
            final long index, final ByteBuffer in, final int length, final long connectionId, final long timestampNs) {
        final int dataLength = variableLength(index, TYPE_PRIMARY_READ, in, 33, length, PRIMARY_READ_MIN_LENGTH);
        final byte[] data = new byte[dataLength];
        in.get(37, data);
        return build(index, () -> new PrimaryRead(connectionId, timestampNs, in.getLong(17), in.getLong(25), data));
    }

    private static void putBody(final ByteBuffer out, final ConnectionOpened opened) {
        final int flags = (opened.handshakeSeen() ? FLAG_HANDSHAKE_SEEN : 0)
                | (opened.sackPermitted() ? FLAG_SACK_PERMITTED : 0)
                | (opened.timestamps() ? FLAG_TIMESTAMPS : 0);
        out.putInt(opened.clientAddress())
                .putInt(opened.serverAddress())
                .putShort((short) opened.clientPort())
                .putShort((short) opened.serverPort())
                .putLong(opened.clientIsn())
                .putLong(opened.serverIsn())
                .putInt(opened.mss())
                .put((byte) opened.clientWindowScale())
                .put((byte) opened.serverWindowScale())
                .put((byte) flags);
    }

    private static ConnectionOpened decodeOpened(
            final long index, final ByteBuffer in, final long connectionId, final long timestampNs) {
        final int flags = in.get(51) & 0xFF;
        if ((flags & ~ALL_FLAGS) != 0) {
            throw corrupt(
                    index,
                    "flags=0x" + Integer.toHexString(flags) + ", expected bits 0x" + Integer.toHexString(ALL_FLAGS));
        }
        return build(
                index,
                () -> new ConnectionOpened(
                        connectionId,
                        timestampNs,
                        in.getInt(17),
                        Short.toUnsignedInt(in.getShort(25)),
                        in.getInt(21),
                        Short.toUnsignedInt(in.getShort(27)),
                        (flags & FLAG_HANDSHAKE_SEEN) != 0,
                        in.getLong(29),
                        in.getLong(37),
                        in.getInt(45),
                        in.get(49),
                        in.get(50),
                        (flags & FLAG_SACK_PERMITTED) != 0,
                        (flags & FLAG_TIMESTAMPS) != 0));
    }

    private static StreamData decodeData(
            final long index, final ByteBuffer in, final int length, final long connectionId, final long timestampNs) {
        final int dataLength = variableLength(index, TYPE_STREAM_DATA, in, 26, length, STREAM_DATA_MIN_LENGTH);
        final byte[] data = new byte[dataLength];
        in.get(30, data);
        final Direction direction = direction(index, in.get(17));
        return build(index, () -> new StreamData(connectionId, timestampNs, direction, in.getLong(18), data));
    }

    private static ConnectionClosed decodeClosed(
            final long index, final ByteBuffer in, final int length, final long connectionId, final long timestampNs) {
        final int detailLength =
                variableLength(index, TYPE_CONNECTION_CLOSED, in, 18, length, CONNECTION_CLOSED_MIN_LENGTH);
        final int reason = in.get(17) & 0xFF;
        if (reason >= CLOSE_REASONS.length) {
            throw corrupt(index, "reason=" + reason + ", expected 0.." + (CLOSE_REASONS.length - 1));
        }
        final String detail = new String(in.array(), 22, detailLength, StandardCharsets.UTF_8);
        return build(index, () -> new ConnectionClosed(connectionId, timestampNs, CLOSE_REASONS[reason], detail));
    }

    /** Builds a record whose checksum matched but whose fields its constructor may still refuse. */
    private static <T extends LogRecord> T build(final long index, final Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (final UnderstudyException ex) {
            throw corrupt(index, ex.getMessage());
        }
    }

    /** Reads a body's own length field and checks it accounts for exactly the document's remaining bytes. */
    private static int variableLength(
            final long index,
            final int type,
            final ByteBuffer in,
            final int fieldOffset,
            final int length,
            final int minLength) {
        if (length < minLength) {
            throw corrupt(index, "type=" + type + ", length=" + length + ", expected>=" + minLength);
        }
        final int bodyLength = in.getInt(fieldOffset);
        if (bodyLength < 0 || bodyLength != length - minLength) {
            throw corrupt(index, "type=" + type + ", bodyLength=" + bodyLength + ", expected=" + (length - minLength));
        }
        return bodyLength;
    }

    private static void expectLength(final long index, final int type, final int length, final int expected) {
        if (length != expected) {
            throw corrupt(index, "type=" + type + ", length=" + length + ", expected=" + expected);
        }
    }

    private static Direction direction(final long index, final byte code) {
        final int value = code & 0xFF;
        if (value >= DIRECTIONS.length) {
            throw corrupt(index, "direction=" + value + ", expected 0.." + (DIRECTIONS.length - 1));
        }
        return DIRECTIONS[value];
    }

    private static EndKind endKind(final long index, final byte code) {
        final int value = code & 0xFF;
        if (value >= END_KINDS.length) {
            throw corrupt(index, "kind=" + value + ", expected 0.." + (END_KINDS.length - 1));
        }
        return END_KINDS[value];
    }

    private static int typeOf(final LogRecord record) {
        if (record instanceof ConnectionOpened) {
            return TYPE_CONNECTION_OPENED;
        } else if (record instanceof StreamData) {
            return TYPE_STREAM_DATA;
        } else if (record instanceof StreamAcked) {
            return TYPE_STREAM_ACKED;
        } else if (record instanceof ConnectionClosed) {
            return TYPE_CONNECTION_CLOSED;
        } else if (record instanceof PrimaryRead) {
            return TYPE_PRIMARY_READ;
        } else if (record instanceof PrimaryWrite) {
            return TYPE_PRIMARY_WRITE;
        } else if (record instanceof SequenceMapping) {
            return TYPE_SEQUENCE_MAPPING;
        }
        return record instanceof PrimaryOpened ? TYPE_PRIMARY_OPENED : TYPE_PRIMARY_ENDED;
    }

    private static int encodedLength(final LogRecord record, final byte[] detail) {
        if (record instanceof StreamData data) {
            return STREAM_DATA_MIN_LENGTH + data.length();
        } else if (record instanceof PrimaryRead read) {
            return PRIMARY_READ_MIN_LENGTH + read.length();
        } else if (record instanceof ConnectionClosed) {
            return CONNECTION_CLOSED_MIN_LENGTH + detail.length;
        }
        return FIXED_LENGTHS[typeOf(record)];
    }

    private void ensureCapacity(final int length) {
        if (buffer.capacity() < length) {
            buffer =
                    ByteBuffer.allocate(Math.max(length, buffer.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private int checksum(final byte[] bytes, final int length) {
        crc.reset();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    private static UnderstudyException corrupt(final long index, final String values) {
        final String where = index == ON_THE_WIRE ? "on the wire" : "at index " + indexName(index);
        return new UnderstudyException("corrupt record " + where + ": " + values);
    }
}
