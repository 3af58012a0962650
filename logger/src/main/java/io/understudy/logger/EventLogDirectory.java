package io.understudy.logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checks a directory before Chronicle Queue opens it: Chronicle would create files in any directory, and on a
 * foreign metadata file it waits seconds for a lock before failing. The directory must be missing, empty, or hold
 * a queue; it must be readable and writable (proved by writing a file, which also catches read-only mounts and
 * holds for root).
 */
final class EventLogDirectory {
    static final String METADATA_FILE = "metadata.cq4t";
    static final String CYCLE_FILE_SUFFIX = ".cq4";
    /** A Chronicle table file starts with a 4-byte header, then the wire field name "header". */
    private static final byte[] METADATA_MAGIC = magic();

    private static final int METADATA_MAGIC_OFFSET = 4;

    private EventLogDirectory() {}

    static void prepare(final Path directory) {
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new UnderstudyException("event log directory=" + directory + " is not a directory");
        }
        try {
            Files.createDirectories(directory);
        } catch (final IOException | RuntimeException ex) {
            throw new UnderstudyException("event log directory=" + directory + " cannot be created: " + ex, ex);
        }
        probeWritable(directory);
        checkNotForeign(directory);
    }

    private static void probeWritable(final Path directory) {
        if (!Files.isReadable(directory)) {
            throw new UnderstudyException("event log directory=" + directory + " is not readable");
        }
        try {
            Files.delete(Files.createTempFile(directory, ".understudy-probe-", ".tmp"));
        } catch (final IOException | RuntimeException ex) {
            throw new UnderstudyException("event log directory=" + directory + " is not writable: " + ex, ex);
        }
    }

    private static void checkNotForeign(final Path directory) {
        final List<String> names = list(directory);
        if (names.isEmpty()) {
            return;
        }
        if (!names.contains(METADATA_FILE)) {
            throw new UnderstudyException("event log directory=" + directory + " is not an event log: it holds "
                    + names.subList(0, Math.min(5, names.size())) + " but no " + METADATA_FILE);
        }
        final Path metadata = directory.resolve(METADATA_FILE);
        final byte[] head = readHead(metadata);
        if (!Arrays.equals(head, METADATA_MAGIC)) {
            throw new UnderstudyException("event log directory=" + directory + " is not an event log: " + metadata
                    + " is not a Chronicle Queue metadata file, bytes 4..11="
                    + HexFormat.of().formatHex(head));
        }
    }

    private static List<String> list(final Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            final List<String> names = new ArrayList<>();
            entries.forEach(entry -> names.add(entry.getFileName().toString()));
            names.sort(null);
            return names;
        } catch (final IOException | RuntimeException ex) {
            throw new UnderstudyException("event log directory=" + directory + " cannot be listed: " + ex, ex);
        }
    }

    private static byte[] readHead(final Path metadata) {
        try (InputStream in = Files.newInputStream(metadata)) {
            final byte[] prefix = in.readNBytes(METADATA_MAGIC_OFFSET + METADATA_MAGIC.length);
            return Arrays.copyOfRange(prefix, Math.min(METADATA_MAGIC_OFFSET, prefix.length), prefix.length);
        } catch (final IOException | RuntimeException ex) {
            throw new UnderstudyException("event log metadata=" + metadata + " cannot be read: " + ex, ex);
        }
    }

    private static byte[] magic() {
        final byte[] name = "header".getBytes(StandardCharsets.US_ASCII);
        final byte[] magic = new byte[name.length + 2];
        magic[0] = (byte) 0xB9; // wire code: field name, short form
        magic[1] = (byte) name.length;
        System.arraycopy(name, 0, magic, 2, name.length);
        return magic;
    }
}
