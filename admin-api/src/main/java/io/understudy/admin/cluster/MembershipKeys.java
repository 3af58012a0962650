package io.understudy.admin.cluster;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two keys the membership derives from the pair's membership key, so that encryption and authentication never
 * share one: each is HMAC-SHA256 of the membership key over its use's name.
 */
final class MembershipKeys {
    static final String ENCRYPTION = "understudy membership SYM_ENCRYPT AES-256 v1";
    static final String AUTHENTICATION = "understudy membership AUTH HMAC-SHA256 v1";
    static final String FAST_HEARTBEAT = "understudy fast heartbeat HMAC-SHA256 v1";
    private static final String HMAC = "HmacSHA256";

    private MembershipKeys() {}

    /** The AES-256 key SYM_ENCRYPT encrypts every message with. */
    static SecretKey encryptionKey(final byte[] membershipKey) {
        return new SecretKeySpec(mac(membershipKey, ENCRYPTION.getBytes(StandardCharsets.UTF_8)), "AES");
    }

    /** The HMAC key of {@link PairAuthToken}. */
    static byte[] authenticationKey(final byte[] membershipKey) {
        return mac(membershipKey, AUTHENTICATION.getBytes(StandardCharsets.UTF_8));
    }

    /** The HMAC key of {@link FastHeartbeat}'s packets. */
    static byte[] fastHeartbeatKey(final byte[] membershipKey) {
        return mac(membershipKey, FAST_HEARTBEAT.getBytes(StandardCharsets.UTF_8));
    }

    /** HMAC-SHA256 of data under key: 32 bytes. */
    static byte[] mac(final byte[] key, final byte[] data) {
        return newMac(key).doFinal(data);
    }

    /** An HMAC-SHA256 keyed with key, for callers that MAC many messages (one per thread: Mac is not thread-safe). */
    static Mac newMac(final byte[] key) {
        try {
            final Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (final GeneralSecurityException ex) {
            throw new IllegalStateException(HMAC + " is missing from this JDK", ex);
        }
    }
}
