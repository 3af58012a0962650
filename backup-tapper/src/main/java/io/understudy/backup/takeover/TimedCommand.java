package io.understudy.backup.takeover;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an operator's command (the claim or release of the service address, the app's restart) with a deadline: a
 * command that hangs (a sudo waiting for a password, a wedged netlink call) would otherwise hold the takeover, with
 * every restored client, forever. Output is read on a thread of its own so a chatty command cannot block on a full
 * pipe. The one process runner of the nodes: the admin API's commands run through it too.
 */
public final class TimedCommand {
    /** What a command that finished in time said. */
    public record Outcome(int exit, String output) {}

    private TimedCommand() {}

    /**
     * Runs {@code command}, stdout and stderr together, and waits for it at most {@code timeout}.
     *
     * @throws IOException when it cannot start, or does not finish in time (it is then killed, with the processes it
     *                     started: best effort, a child it forks while they are being killed escapes; its output so
     *                     far is in the message).
     */
    public static Outcome run(final List<String> command, final Duration timeout)
            throws IOException, InterruptedException {
        return run(command, java.util.Map.of(), timeout);
    }

    /** Like {@link #run(List, Duration)}, with {@code environment} added to this process's environment. */
    public static Outcome run(
            final List<String> command, final java.util.Map<String, String> environment, final Duration timeout)
            throws IOException, InterruptedException {
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        final Process process = builder.start();
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final Thread reader = new Thread(() -> copy(process.getInputStream(), output), "command-output");
        reader.setDaemon(true);
        reader.start();
        try {
            final boolean finished;
            try {
                finished = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (final InterruptedException ex) {
                terminate(process);
                throw ex;
            }
            if (!finished) {
                kill(process);
                process.waitFor(1, TimeUnit.SECONDS);
                reader.join(1_000);
                throw new IOException(command + " did not finish within " + timeout.toMillis() + " ms and was "
                        + "killed; output so far: " + text(output).strip());
            }
            reader.join(1_000); // a child it left behind may hold the pipe open: take what there is
            return new Outcome(process.exitValue(), text(output));
        } finally {
            process.destroyForcibly();
        }
    }

    /**
     * The caller gave up on the command (it was interrupted): SIGTERM, so that the command can undo what it started,
     * then SIGKILL for it and what it started after {@link #TERMINATE_GRACE}.
     */
    private static void terminate(final Process process) {
        process.destroy();
        try {
            if (process.waitFor(TERMINATE_GRACE.toNanos(), TimeUnit.NANOSECONDS)) {
                return;
            }
        } catch (final InterruptedException again) {
            Thread.currentThread().interrupt();
        }
        kill(process);
    }

    /** SIGKILL for the command and what it started (best effort: a child it forks meanwhile escapes). */
    private static void kill(final Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** How long a command given up on has, after SIGTERM, before SIGKILL. */
    public static final Duration TERMINATE_GRACE = Duration.ofSeconds(1);

    /** ByteArrayOutputStream is synchronized: the caller may read what there is while this still writes. */
    private static void copy(final InputStream in, final ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (final IOException ex) {
            // Destroying the process closes the pipe under the reader; the caller's message shows what came before.
            out.writeBytes(("[output no longer readable: " + ex.getMessage() + "]").getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String text(final ByteArrayOutputStream output) {
        return output.toString(StandardCharsets.UTF_8);
    }
}
