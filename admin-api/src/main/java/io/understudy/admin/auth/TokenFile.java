package io.understudy.admin.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Reads an api token from a file (the node's {@code api.tokenFile}, {@code understudy drill --token-file}), so the
 * token never has to go on a command line that {@code ps} shows everyone: one line of printable ASCII without spaces.
 */
public final class TokenFile {
    private static final long MAX_BYTES = 4096;
    private static final Set<PosixFilePermission> OTHERS =
            Set.of(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private TokenFile() {}

    /**
     * The token the file holds, without its line end.
     *
     * @throws IOException naming the file: missing, unreadable, readable or writable by others (group is allowed, for
     *                     a file root:understudy 0640), empty, more than one line, or with spaces or control characters.
     */
    public static String read(final Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("token file " + file + " does not exist or is not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new IOException("token file " + file + " is not readable by this user");
        }
        final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (permissions.stream().anyMatch(OTHERS::contains)) {
            throw new IOException("token file " + file + " may be read or written by anyone ("
                    + PosixFilePermissions.toString(permissions) + "): chmod o-rw " + file);
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException("token file " + file + " is " + Files.size(file) + " bytes: a token is one line");
        }
        final String token = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (token.isEmpty()) {
            throw new IOException("token file " + file + " is empty");
        }
        if (token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IOException("token file " + file + " must hold one token of printable ASCII without spaces "
                    + "(and nothing else)");
        }
        return token;
    }
}
