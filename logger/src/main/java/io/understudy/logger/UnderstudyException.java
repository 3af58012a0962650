package io.understudy.logger;

/**
 * The one exception type of Understudy: every module throws it for bad input, bad config, corrupt data and failed
 * I/O. The message carries the values that went wrong ("seq=..., expected=..."), so one log line explains it.
 */
public class UnderstudyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnderstudyException(final String message) {
        super(message);
    }

    public UnderstudyException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
