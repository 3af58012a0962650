package io.understudy.admin.app;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the app's pid comes from, in the order {@link AppSettings} gives: a pid file, a systemd unit's MainPID, or the
 * owner of the listener on the app's address.
 *
 * @param pid    the app's pid.
 * @param source what named it, for messages: "pid file /run/redis.pid", "listener on 127.0.0.1:6390".
 */
record AppPidSource(long pid, String source) {
    private static final long SYSTEMCTL_TIMEOUT_MS = 5_000;
    private static final int MAX_OUTPUT_BYTES = 4096;

    static AppPidSource locate(final AppSettings settings, final InetSocketAddress appAddress) throws IOException {
        if (!settings.getPidFile().isBlank()) {
            final Path file = Path.of(settings.getPidFile().strip());
            return new AppPidSource(fromPidFile(file), "pid file " + file);
        }
        if (!settings.getSystemdUnit().isBlank()) {
            final String unit = settings.getSystemdUnit().strip();
            return new AppPidSource(fromSystemdUnit(unit), "systemd unit " + unit);
        }
        return new AppPidSource(ListenerOwner.pidOf(appAddress), "listener on " + ListenerOwner.text(appAddress));
    }

    static long fromPidFile(final Path file) throws IOException {
        final String content;
        try {
            content = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (final NoSuchFileException ex) {
            throw new IOException("pid file " + file + " does not exist", ex);
        }
        return parsePid(content, "pid file " + file);
    }

    /** {@code systemctl show -p MainPID --value UNIT}: 0 while the unit has no running main process. */
    static long fromSystemdUnit(final String unit) throws IOException {
        final List<String> command = List.of("systemctl", "show", "-p", "MainPID", "--value", unit);
        final Process process = start(command, unit);
        try (InputStream out = process.getInputStream()) {
            if (!process.waitFor(SYSTEMCTL_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(
                        String.join(" ", command) + " did not finish within " + SYSTEMCTL_TIMEOUT_MS + " ms");
            }
            final String output = new String(out.readNBytes(MAX_OUTPUT_BYTES), StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0) {
                throw new IOException("systemd unit " + unit + ": " + String.join(" ", command) + " exited with "
                        + process.exitValue() + ": " + output);
            }
            if (output.equals("0")) {
                throw new IOException("systemd unit " + unit + " is not running (its MainPID is 0)");
            }
            return parsePid(output, "systemd unit " + unit + " (MainPID)");
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while asking systemd for the MainPID of " + unit, ex);
        }
    }

    private static Process start(final List<String> command, final String unit) throws IOException {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (final IOException ex) {
            throw new IOException(
                    "systemd unit " + unit + ": cannot run " + String.join(" ", command) + ": " + ex.getMessage(), ex);
        }
    }

    private static long parsePid(final String text, final String source) throws IOException {
        final long pid;
        try {
            pid = Long.parseLong(text);
        } catch (final NumberFormatException ex) {
            throw new IOException(source + " does not hold a pid: '" + AppCheck.printable(text) + "'", ex);
        }
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IOException(source + " holds " + pid + ", which is not a pid");
        }
        return pid;
    }
}
