package io.understudy.ops.demo;

import java.io.IOException;

/** Thrown when a request line grows past the limit before its "\n" arrives. */
final class LineTooLongException extends IOException {
    private static final long serialVersionUID = 1L;

    LineTooLongException(final int maxLineBytes) {
        super("request line longer than " + maxLineBytes + " bytes");
    }
}
