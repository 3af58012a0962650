package io.understudy.logger;

import java.util.Arrays;

/**
 * Bytes of one direction's stream at a known offset (offset 0 is the first byte after the SYN). The array is
 * copied in and out, so a record never changes after it is built; equality compares the bytes.
 *
 * @param connectionId Understudy's identifier of the connection.
 * @param timestampNs  when the bytes were seen.
 * @param direction    which stream the bytes belong to.
 * @param streamOffset offset of {@code bytes[0]} in that stream, 0 or more.
 * @param bytes        the bytes, at most {@link #MAX_LENGTH}; may be empty.
 */
public record StreamData(long connectionId, long timestampNs, Direction direction, long streamOffset, byte[] bytes)
        implements LogRecord {

    /** The most bytes one record carries (1 MiB): writers split larger reads. */
    public static final int MAX_LENGTH = 1 << 20;

    /** Checks the fields and copies the bytes. */
    public StreamData {
        Checks.notNull("direction", direction);
        Checks.inRange("streamOffset", streamOffset, 0, Long.MAX_VALUE);
        Checks.notNull("bytes", bytes);
        Checks.inRange("bytes.length", bytes.length, 0, MAX_LENGTH);
        bytes = bytes.clone();
    }

    /** A copy of the bytes. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** How many bytes the record carries. */
    public int length() {
        return bytes.length;
    }

    /** The offset just past the last byte. */
    public long endOffset() {
        return streamOffset + bytes.length;
    }

    /** The bytes themselves, for the codec only: callers must not change them. */
    byte[] bytesNoCopy() {
        return bytes;
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof StreamData that
                && connectionId == that.connectionId
                && timestampNs == that.timestampNs
                && direction == that.direction
                && streamOffset == that.streamOffset
                && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        int result = Long.hashCode(connectionId);
        result = 31 * result + Long.hashCode(timestampNs);
        result = 31 * result + direction.hashCode();
        result = 31 * result + Long.hashCode(streamOffset);
        return 31 * result + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "StreamData[connectionId=" + connectionId + ", timestampNs=" + timestampNs + ", direction=" + direction
                + ", streamOffset=" + streamOffset + ", length=" + bytes.length + "]";
    }
}
