package io.understudy.admin.app;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One probe of the app, done within the check's timeout: a TCP exchange (connect, send, the start of the reply), a
 * command whose exit status 0 means healthy, or nothing. Each {@link #run()} is independent and blocks its caller.
 */
public final class AppCheck {
    /** Details show at most this many characters of a reply or an output line. */
    private static final int SHOWN_CHARS = 60;

    private static final int SHOWN_BYTES = 64;
    private static final int COMMAND_OUTPUT_BYTES = 256;
    private static final File NO_INPUT = new File("/dev/null");

    /**
     * What one check found.
     *
     * @param healthy   the app answered as expected in time.
     * @param latencyMs how long the check took, in whole milliseconds.
     * @param detail    one printable line saying what was seen, e.g. "no reply within 400 ms".
     */
    public record Result(boolean healthy, long latencyMs, String detail) {}

    private final AppCheckSettings.Type type;
    private final InetSocketAddress target;
    private final byte[] send;
    private final byte[] expect;
    private final List<String> command;
    private final int timeoutMs;

    private AppCheck(final AppCheckSettings settings, final InetSocketAddress target) {
        this.type = settings.getType();
        this.target = target;
        this.send = settings.getSend().getBytes(StandardCharsets.UTF_8);
        this.expect = settings.getExpect().getBytes(StandardCharsets.UTF_8);
        this.command = List.copyOf(settings.getCommand());
        this.timeoutMs = settings.getTimeoutMs();
    }

    /** A check as the settings describe it, of the app at target (used by type tcp). */
    public static AppCheck of(final AppCheckSettings settings, final InetSocketAddress target) {
        return new AppCheck(settings, target);
    }

    /** Runs the check once; never throws, every failure is an unhealthy result saying why. */
    public Result run() {
        final long startNs = System.nanoTime();
        return switch (type) {
            case TCP -> runTcp(startNs);
            case COMMAND -> runCommand(startNs);
            case NONE -> new Result(true, 0, "no check");
        };
    }

    /** "tcp 127.0.0.1:6390", "command [redis-cli, ping]" or "no check": what is checked, for messages. */
    @Override
    public String toString() {
        return switch (type) {
            case TCP -> "tcp " + ListenerOwner.text(target);
            case COMMAND -> "command " + command;
            case NONE -> "no check";
        };
    }

    private Result runTcp(final long startNs) {
        try (Socket socket = new Socket()) {
            try {
                socket.connect(target, timeoutMs);
            } catch (final ConnectException ex) {
                return result(false, startNs, "connect to " + ListenerOwner.text(target) + " refused");
            } catch (final SocketTimeoutException ex) {
                return result(
                        false,
                        startNs,
                        "connect to " + ListenerOwner.text(target) + " timed out after " + timeoutMs + " ms");
            }
            if (send.length == 0 && expect.length == 0) {
                return result(true, startNs, "connected to " + ListenerOwner.text(target));
            }
            socket.setTcpNoDelay(true);
            socket.getOutputStream().write(send);
            return awaitReply(socket, startNs);
        } catch (final IOException ex) {
            return result(false, startNs, "exchange with " + ListenerOwner.text(target) + " failed: " + ex);
        }
    }

    /** Reads until the reply covers expect (or one byte when expect is empty); a wrong byte fails at once. */
    private Result awaitReply(final Socket socket, final long startNs) throws IOException {
        final byte[] reply = new byte[Math.max(expect.length, 1)];
        final InputStream in = socket.getInputStream();
        int got = 0;
        while (got < reply.length) {
            final long leftMs = timeoutMs - elapsedMs(startNs);
            if (leftMs <= 0) {
                return noReply(reply, got, startNs);
            }
            socket.setSoTimeout((int) leftMs);
            final int read;
            try {
                read = in.read(reply, got, reply.length - got);
            } catch (final SocketTimeoutException ex) {
                return noReply(reply, got, startNs);
            }
            if (read < 0) {
                return result(
                        false,
                        startNs,
                        got == 0
                                ? "connection closed without a reply"
                                : "reply '" + printable(reply, got) + "' cut short: connection closed");
            }
            got += read;
            if (!matchesExpect(reply, got)) {
                final byte[] shown = shownReply(reply, got, in);
                return result(
                        false,
                        startNs,
                        "reply '" + printable(shown, shown.length) + "' does not start with '"
                                + printable(expect, expect.length) + "'");
            }
        }
        return result(true, startNs, "reply '" + printable(reply, got) + "'");
    }

    private Result noReply(final byte[] reply, final int got, final long startNs) {
        return result(
                false,
                startNs,
                got == 0
                        ? "no reply within " + timeoutMs + " ms"
                        : "reply '" + printable(reply, got) + "' incomplete after " + timeoutMs + " ms");
    }

    private boolean matchesExpect(final byte[] reply, final int length) {
        for (int i = 0; i < length && i < expect.length; i++) {
            if (reply[i] != expect[i]) {
                return false;
            }
        }
        return true;
    }

    /** The bytes read so far plus whatever else already arrived, so the detail shows more than the mismatch. */
    private static byte[] shownReply(final byte[] reply, final int got, final InputStream in) throws IOException {
        final byte[] more = in.readNBytes(Math.max(0, Math.min(in.available(), SHOWN_BYTES - got)));
        final byte[] shown = new byte[got + more.length];
        System.arraycopy(reply, 0, shown, 0, got);
        System.arraycopy(more, 0, shown, got, more.length);
        return shown;
    }

    private Result runCommand(final long startNs) {
        final Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(NO_INPUT))
                    .start();
        } catch (final IOException ex) {
            return result(false, startNs, "command " + command + " cannot start: " + ex.getMessage());
        }
        try (InputStream output = process.getInputStream()) {
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                kill(process);
                return result(false, startNs, "command still running after " + timeoutMs + " ms (killed)");
            }
            final String line = firstLine(output);
            return result(
                    process.exitValue() == 0,
                    startNs,
                    "command exited " + process.exitValue() + (line.isEmpty() ? "" : ": " + line));
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            kill(process);
            return result(false, startNs, "command interrupted");
        } catch (final IOException ex) {
            return result(false, startNs, "command output unreadable: " + ex);
        }
    }

    /** Reads only what is there: a child the command left running may hold the pipe open. */
    private static String firstLine(final InputStream output) throws IOException {
        final byte[] bytes = output.readNBytes(Math.min(output.available(), COMMAND_OUTPUT_BYTES));
        final String text = new String(bytes, StandardCharsets.UTF_8).strip();
        final int newline = text.indexOf('\n');
        return printable(newline < 0 ? text : text.substring(0, newline).strip());
    }

    private static void kill(final Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static Result result(final boolean healthy, final long startNs, final String detail) {
        return new Result(healthy, elapsedMs(startNs), detail);
    }

    private static long elapsedMs(final long startNs) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }

    /** Text for a log line: control characters escaped (\r, \n, \t, \xNN), cut to about 60 characters. */
    static String printable(final String text) {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return printable(bytes, bytes.length);
    }

    static String printable(final byte[] bytes, final int length) {
        final StringBuilder out = new StringBuilder();
        int i = 0;
        for (; i < length && out.length() < SHOWN_CHARS; i++) {
            final int b = bytes[i] & 0xff;
            switch (b) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> out.append(b >= 0x20 && b < 0x7f ? Character.toString(b) : String.format("\\x%02x", b));
            }
        }
        return i < length ? out + "..." : out.toString();
    }
}
