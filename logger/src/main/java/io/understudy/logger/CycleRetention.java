package io.understudy.logger;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes a queue's cycle files older than the last {@code retainCycles} cycles, the current one included. Reads
 * the directory itself rather than Chronicle's cached listing, names cycles with Chronicle's own file-name
 * format, and leaves alone any file whose name that format does not parse.
 */
final class CycleRetention {
    private static final Logger LOG = LoggerFactory.getLogger(CycleRetention.class);

    private final SingleChronicleQueue queue;
    private final Path directory;
    private final int retainCycles;
    private final RollingResourcesCache fileNames;

    CycleRetention(final SingleChronicleQueue queue, final Path directory, final int retainCycles) {
        this.queue = queue;
        this.directory = directory;
        this.retainCycles = retainCycles;
        this.fileNames = new RollingResourcesCache(
                queue.rollCycle(),
                queue.epoch(),
                name -> new File(directory.toFile(), name + EventLogDirectory.CYCLE_FILE_SUFFIX),
                file -> baseName(file.getName()));
    }

    /** Deletes expired cycle files as of the queue clock's current cycle; returns how many it deleted. */
    int deleteExpired() {
        final long lastExpiredCycle = (long) queue.cycle() - retainCycles;
        int deleted = 0;
        for (final Path file : cycleFilesUpTo(lastExpiredCycle)) {
            try {
                if (Files.deleteIfExists(file)) {
                    deleted++;
                    LOG.info(
                            "event log {}: deleted expired cycle file {} (retainCycles={})",
                            directory,
                            file.getFileName(),
                            retainCycles);
                }
            } catch (final IOException ex) {
                throw new UnderstudyException("cannot delete expired cycle file=" + file + ": " + ex, ex);
            }
        }
        if (deleted > 0) {
            queue.refreshDirectoryListing();
        }
        return deleted;
    }

    private List<Path> cycleFilesUpTo(final long lastCycle) {
        final List<Path> expired = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory)) {
            entries.filter(entry -> entry.getFileName().toString().endsWith(EventLogDirectory.CYCLE_FILE_SUFFIX))
                    .filter(entry -> cycleOf(entry) <= lastCycle)
                    .forEach(expired::add);
        } catch (final IOException ex) {
            throw new UnderstudyException("cannot list event log directory=" + directory + ": " + ex, ex);
        }
        expired.sort(null);
        return expired;
    }

    /** The file's cycle, or Long.MAX_VALUE (never expired) when its name is not in the queue's format. */
    private long cycleOf(final Path file) {
        try {
            return fileNames.toLong(file.toFile());
        } catch (final DateTimeException ex) {
            LOG.warn(
                    "event log {}: keeping {}, its name is not a {} cycle",
                    directory,
                    file.getFileName(),
                    RollCycleNames.nameOf(queue.rollCycle()));
            return Long.MAX_VALUE;
        }
    }

    private static String baseName(final String fileName) {
        return fileName.endsWith(EventLogDirectory.CYCLE_FILE_SUFFIX)
                ? fileName.substring(0, fileName.length() - EventLogDirectory.CYCLE_FILE_SUFFIX.length())
                : fileName;
    }
}
