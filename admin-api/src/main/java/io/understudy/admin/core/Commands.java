package io.understudy.admin.core;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The operator's commands a node runs (claim and release the service address, restart the app), each to its end. */
final class Commands {
    private static final long DEFAULT_TIMEOUT_MS = 30_000;

    private Commands() {}

    static String run(final List<String> command, final String what) throws IOException {
        return run(command, what, DEFAULT_TIMEOUT_MS);
    }

    /**
     * Runs a command to its end (killed with its children after {@code timeoutMs}); returns its output, stripped.
     *
     * @throws IOException saying {@code what} failed, with the command, its exit status and its output.
     */
    static String run(final List<String> command, final String what, final long timeoutMs) throws IOException {
        final File output = File.createTempFile("understudy-command", ".out");
        try {
            final Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output)
                    .start();
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IOException(what + " failed: " + command + " did not finish within " + timeoutMs + " ms");
            }
            final String text = Files.readString(output.toPath()).strip();
            if (process.exitValue() != 0) {
                throw new IOException(what + " failed: " + command + " exited " + process.exitValue() + ": " + text);
            }
            return text;
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException(what + " interrupted", ex);
        } finally {
            Files.deleteIfExists(output.toPath());
        }
    }
}
