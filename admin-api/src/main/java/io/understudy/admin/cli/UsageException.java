package io.understudy.admin.cli;

/**
 * Bad input to a command-line tool (an unreadable file, a bad argument): the process prints the message alone and
 * exits with code 2.
 */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
