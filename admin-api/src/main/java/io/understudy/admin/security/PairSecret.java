package io.understudy.admin.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret the two nodes of a pair share: 32 random bytes, kept as 64 hex characters in a file only its owner may
 * read ({@code ops/understudy keygen}). Each channel between the nodes gets a key of its own derived from it
 * (HMAC-SHA256 of the secret over the channel's name), so no two channels share a key.
 */
public final class PairSecret {
    /** The membership's (JGroups) key: AUTH and SYM_ENCRYPT. */
    public static final String MEMBERSHIP = "understudy membership v1";
    /** The read log's key: the logger's challenge-response and frame MACs. */
    public static final String READ_LOG = "understudy read log v1";
    /** The key of the app's per-connection seeds ({@code replica.seedSocket}). */
    public static final String APP_SEED = "understudy app seed v1";

    private static final int SECRET_BYTES = 32;
    private static final Set<PosixFilePermission> OTHERS = Set.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE);

    private final byte[] secret;

    private PairSecret(final byte[] secret) {
        this.secret = secret.clone();
    }

    /**
     * Reads a secret file.
     *
     * @throws IOException naming the file: missing, unreadable, readable by others than its owner, or not 64 hex
     *                     characters.
     */
    public static PairSecret load(final Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("secret file " + file + " does not exist (make one with: ops/understudy keygen "
                    + "--out " + file + ")");
        }
        final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (permissions.stream().anyMatch(OTHERS::contains)) {
            throw new IOException("secret file " + file + " may be read or written by others than its owner ("
                    + java.nio.file.attribute.PosixFilePermissions.toString(permissions) + "): chmod 600 " + file);
        }
        final String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (!text.matches("[0-9a-fA-F]{" + 2 * SECRET_BYTES + "}")) {
            throw new IOException("secret file " + file + " does not hold " + 2 * SECRET_BYTES + " hex characters "
                    + "(it holds " + text.length() + " characters); make one with ops/understudy keygen");
        }
        return new PairSecret(HexFormat.of().parseHex(text));
    }

    /** A new random secret, as the file holds it: 64 hex characters and a newline. */
    public static String generate() {
        final byte[] bytes = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes) + "\n";
    }

    /** The key of one channel ({@link #MEMBERSHIP}, {@link #READ_LOG}): 32 bytes. */
    public byte[] key(final String channel) {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(channel.getBytes(StandardCharsets.UTF_8));
        } catch (final GeneralSecurityException ex) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", ex);
        }
    }
}
