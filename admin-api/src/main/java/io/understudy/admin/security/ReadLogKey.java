package io.understudy.admin.security;

import io.understudy.logger.LogAuth;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The read log's key, from the pair's secret ({@link PairSecret#READ_LOG}), as the logger module takes it: a node or
 * the logger command that runs insecure (no secret) gets {@link LogAuth#INSECURE}.
 */
public final class ReadLogKey {
    private ReadLogKey() {}

    /**
     * The key from a secret file ({@code understudy logger --secret-file}).
     *
     * @throws IOException naming the file when it is missing, readable by others or malformed.
     */
    public static LogAuth load(final Path secretFile) throws IOException {
        return of(PairSecret.load(secretFile));
    }

    /** The key from a loaded secret. */
    public static LogAuth of(final PairSecret secret) {
        return LogAuth.of(secret.key(PairSecret.READ_LOG));
    }
}
