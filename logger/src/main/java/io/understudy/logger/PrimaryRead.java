package io.understudy.logger;

import java.util.Arrays;

/**
 * Bytes the primary's relay read from the client and handed to the app, at a client stream offset (offset 0 is the
 * client's first byte). The array is copied in and out, so a record never changes after it is built; equality
 * compares the bytes.
 *
 * @param connectionId the primary's identifier of the connection.
 * @param timestampNs  when the bytes were read.
 * @param seq          the writer's sequence number, greater than 0.
 * @param streamOffset client stream offset of {@code bytes[0]}, 0 or more; the end offset must fit in a long.
 * @param bytes        the bytes, at most {@link StreamData#MAX_LENGTH}; may be empty.
 */
public record PrimaryRead(long connectionId, long timestampNs, long seq, long streamOffset, byte[] bytes)
        implements ShippedRecord {

    /** Checks the fields and copies the bytes. */
    public PrimaryRead {
        Checks.inRange("seq", seq, 1, Long.MAX_VALUE);
        Checks.notNull("bytes", bytes);
        Checks.inRange("bytes.length", bytes.length, 0, StreamData.MAX_LENGTH);
        Checks.inRange("streamOffset", streamOffset, 0, Long.MAX_VALUE - bytes.length);
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

    /** The client stream offset just past the last byte. */
    public long endOffset() {
        return streamOffset + bytes.length;
    }

    /** The bytes themselves, for the codec only: callers must not change them. */
    byte[] bytesNoCopy() {
        return bytes;
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof PrimaryRead that
                && connectionId == that.connectionId
                && timestampNs == that.timestampNs
                && seq == that.seq
                && streamOffset == that.streamOffset
                && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        int result = Long.hashCode(connectionId);
        result = 31 * result + Long.hashCode(timestampNs);
        result = 31 * result + Long.hashCode(seq);
        result = 31 * result + Long.hashCode(streamOffset);
        return 31 * result + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "PrimaryRead[connectionId=" + connectionId + ", timestampNs=" + timestampNs + ", seq=" + seq
                + ", streamOffset=" + streamOffset + ", length=" + bytes.length + "]";
    }
}
