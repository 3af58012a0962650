package io.understudy.logger;

import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;

/**
 * The MAC of one direction of one authenticated connection: HMAC-SHA256 with the session key over the direction,
 * the frame's counter (not on the wire: the n-th frame of the direction) and the frame from its length field to the
 * end of its body, cut to {@link #LENGTH} bytes. A forged, altered, replayed, dropped or reordered frame fails its
 * check; a frame sent back to its sender fails too (the direction differs).
 */
final class FrameMac {
    /** Bytes of MAC at the end of every frame (128 bits). */
    static final int LENGTH = 16;

    static final int CLIENT_TO_SERVER = 1;
    static final int SERVER_TO_CLIENT = 2;
    /** No key: the MAC is 16 zero bytes and never checked. */
    static final FrameMac NONE = new FrameMac(null, 0);

    private final Mac mac;
    private final byte[] prefix = new byte[1 + Long.BYTES];
    private final byte[] full = new byte[32];
    private final byte[] expected = new byte[LENGTH];
    private long counter;

    private FrameMac(final Mac mac, final int direction) {
        this.mac = mac;
        prefix[0] = (byte) direction;
    }

    /** The MAC of one direction, keyed with the session key; NONE when the key is null (insecure). */
    static FrameMac of(final byte[] sessionKey, final int direction) {
        return sessionKey == null ? NONE : new FrameMac(LogAuth.newMac(sessionKey), direction);
    }

    /** Starts the MAC of the next frame and counts it; then {@link #update} its bytes and {@link #finish}. */
    void begin() {
        if (mac == null) {
            return;
        }
        for (int i = 0; i < Long.BYTES; i++) {
            prefix[1 + i] = (byte) (counter >>> (8 * i));
        }
        counter++;
        mac.update(prefix);
    }

    void update(final byte[] bytes, final int offset, final int length) {
        if (mac != null) {
            mac.update(bytes, offset, length);
        }
    }

    /** Writes the frame's MAC at {@code tag[tagOffset]}. */
    void finish(final byte[] tag, final int tagOffset) {
        if (mac == null) {
            Arrays.fill(tag, tagOffset, tagOffset + LENGTH, (byte) 0);
            return;
        }
        try {
            mac.doFinal(full, 0);
        } catch (final ShortBufferException ex) {
            throw new UnderstudyException("frame MAC buffer length=" + full.length + ", expected>=32", ex);
        }
        System.arraycopy(full, 0, tag, tagOffset, LENGTH);
    }

    /** True when the MAC at {@code tag[tagOffset]} is that of the frame; counts the frame either way. */
    boolean verify(final byte[] frame, final int offset, final int length, final byte[] tag, final int tagOffset) {
        if (mac == null) {
            return true;
        }
        begin();
        update(frame, offset, length);
        finish(expected, 0);
        int difference = 0;
        for (int i = 0; i < LENGTH; i++) {
            difference |= expected[i] ^ tag[tagOffset + i];
        }
        return difference == 0;
    }

    /** The counter of the next frame: frames signed or checked so far. */
    long counter() {
        return counter;
    }
}
