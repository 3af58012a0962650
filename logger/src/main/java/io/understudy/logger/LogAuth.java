package io.understudy.logger;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The read log's key: 32 bytes the primary, the backup and the logger share (the pair's secret's read-log key), or
 * {@link #INSECURE} for a lab without strangers. With a key, every connection proves it by HMAC-SHA256 before the
 * logger reads more than a fixed-size hello, and every frame then carries a MAC (see {@link LogHandshake}).
 *
 * <p>Why an HMAC challenge-response and not TLS with pinned certificates: the pair already shares a secret, so there
 * is no certificate to make, rotate or pin; the handshake is two fixed-size round trips at connect and costs nothing
 * on the ship-to-ack round trip but one HMAC per frame; and confidentiality would add little, since the logged client
 * bytes crossed the same LAN in the clear on their way to the primary.
 */
public final class LogAuth {
    /** The key length: an HMAC-SHA256 key of a full hash's size. */
    public static final int KEY_BYTES = 32;
    /** No key: anyone may write or read the log. Only when the node's config says {@code insecure: true}. */
    public static final LogAuth INSECURE = new LogAuth(null);

    private static final String ALGORITHM = "HmacSHA256";

    private final byte[] key;

    private LogAuth(final byte[] key) {
        this.key = key;
    }

    /**
     * A key of {@link #KEY_BYTES} bytes (copied).
     *
     * @throws UnderstudyException when the key is null or of another length.
     */
    public static LogAuth of(final byte[] key) {
        Checks.notNull("key", key);
        Checks.inRange("key.length", key.length, KEY_BYTES, KEY_BYTES);
        return new LogAuth(key.clone());
    }

    /** True with a key: peers must prove it and frames are MACed. */
    public boolean isSecure() {
        return key != null;
    }

    /** HMAC-SHA256 with this key over the parts in order; 32 zero bytes when insecure. */
    byte[] hmac(final byte[]... parts) {
        return key == null ? new byte[KEY_BYTES] : hmacWith(key, parts);
    }

    /** Constant-time comparison, so a forger learns nothing from how long a check takes. */
    static boolean isEqual(final byte[] expected, final byte[] actual) {
        return MessageDigest.isEqual(expected, actual);
    }

    static Mac newMac(final byte[] key) {
        try {
            final Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac;
        } catch (final GeneralSecurityException ex) {
            throw new UnderstudyException("cannot make an " + ALGORITHM + " MAC: " + ex.getMessage(), ex);
        }
    }

    static byte[] hmacWith(final byte[] key, final byte[]... parts) {
        final Mac mac = newMac(key);
        for (final byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }

    /** Never the key. */
    @Override
    public String toString() {
        return isSecure() ? "LogAuth[HMAC-SHA256]" : "LogAuth[INSECURE]";
    }
}
