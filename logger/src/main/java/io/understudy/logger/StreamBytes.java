package io.understudy.logger;

import java.util.Arrays;

/**
 * Bytes of a stream at an offset, as a log record carries them: copied in and out, so that a record never changes
 * after it is built; equal when offset and bytes are. What {@link StreamData} (the tap's) and {@link PrimaryRead} (the
 * primary's) share.
 */
public final class StreamBytes {
    /** The most bytes one record carries (1 MiB): writers split larger reads. */
    public static final int MAX_LENGTH = 1 << 20;

    /** A record that carries stream bytes ({@link StreamData}, {@link PrimaryRead}): their offset and bytes, read through. */
    public interface Carrier {
        StreamBytes data();

        /** Stream offset of the first byte. */
        default long streamOffset() {
            return data().offset();
        }

        /** A copy of the bytes. */
        default byte[] bytes() {
            return data().copy();
        }

        default int length() {
            return data().length();
        }

        /** The stream offset just past the last byte. */
        default long endOffset() {
            return data().endOffset();
        }
    }

    private final long offset;
    private final byte[] bytes;

    private StreamBytes(final long offset, final byte[] bytes) {
        this.offset = offset;
        this.bytes = bytes;
    }

    /**
     * A copy of {@code bytes} at stream offset {@code offset}.
     *
     * @throws IllegalArgumentException when bytes is null or over {@link #MAX_LENGTH}, or the offset is negative or its
     *                                  end does not fit in a long.
     */
    public static StreamBytes copyOf(final long offset, final byte[] bytes) {
        Checks.notNull("bytes", bytes);
        Checks.inRange("bytes.length", bytes.length, 0, MAX_LENGTH);
        Checks.inRange("streamOffset", offset, 0, Long.MAX_VALUE - bytes.length);
        return new StreamBytes(offset, bytes.clone());
    }

    /** The stream offset of the first byte. */
    public long offset() {
        return offset;
    }

    /** A copy of the bytes. */
    public byte[] copy() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    /** The stream offset just past the last byte. */
    public long endOffset() {
        return offset + bytes.length;
    }

    /** The bytes themselves, for the codec only: callers must not change them. */
    byte[] noCopy() {
        return bytes;
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof StreamBytes that && offset == that.offset && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(offset) + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "streamOffset=" + offset + ", length=" + bytes.length;
    }
}
