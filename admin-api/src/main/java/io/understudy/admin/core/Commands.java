package io.understudy.admin.core;

import io.understudy.backup.takeover.TimedCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** The operator's commands a node runs (claim and release the service address, restart the app), each to its end. */
final class Commands {
    private static final long DEFAULT_TIMEOUT_MS = 30_000;

    private Commands() {}

    static String run(final List<String> command, final String what) throws IOException {
        return run(command, what, DEFAULT_TIMEOUT_MS);
    }

    /**
     * Runs a command to its end (killed with its children after {@code timeoutMs}, by {@link TimedCommand}); returns
     * its output, stripped.
     *
     * @throws IOException saying {@code what} failed, with the command, its exit status and its output.
     */
    static String run(final List<String> command, final String what, final long timeoutMs) throws IOException {
        final TimedCommand.Outcome outcome;
        try {
            outcome = TimedCommand.run(command, Duration.ofMillis(timeoutMs));
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException(what + " interrupted", ex);
        } catch (final IOException ex) {
            throw new IOException(what + " failed: " + ex.getMessage(), ex);
        }
        final String text = outcome.output().strip();
        if (outcome.exit() != 0) {
            throw new IOException(what + " failed: " + command + " exited " + outcome.exit() + ": " + text);
        }
        return text;
    }
}
