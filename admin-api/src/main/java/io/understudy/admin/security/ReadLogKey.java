package io.understudy.admin.security;

import java.io.IOException;
import java.nio.file.Path;

import io.understudy.logger.LogAuth;
import io.understudy.logger.UnderstudyException;

/**
 * The read log's key, from the pair's secret ({@link PairSecret#READ_LOG}), as the logger module takes it: a node or
 * the logger command that runs insecure (no secret) gets {@link LogAuth#INSECURE}.
 */
public final class ReadLogKey
{
    private ReadLogKey()
    {
    }

    /**
     * The key from {@code node.security}.
     *
     * @throws UnderstudyException naming the file when the secret cannot be read.
     */
    public static LogAuth load(final SecuritySettings security)
    {
        try
        {
            return security.load().map(ReadLogKey::of).orElse(LogAuth.INSECURE);
        }
        catch (final IOException ex)
        {
            throw new UnderstudyException("node.security: cannot load the read log's key: " + ex.getMessage(), ex);
        }
    }

    /**
     * The key from a secret file ({@code understudy logger --secret-file}).
     *
     * @throws IOException naming the file when it is missing, readable by others or malformed.
     */
    public static LogAuth load(final Path secretFile) throws IOException
    {
        return of(PairSecret.load(secretFile));
    }

    private static LogAuth of(final PairSecret secret)
    {
        return LogAuth.of(secret.key(PairSecret.READ_LOG));
    }
}
