package io.understudy.logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;

/** Helpers for tests on real logs: a hand-moved clock, configs in a temp directory, draining a reader. */
final class TestLogs {
    /** 2026-01-05T00:00:00Z: a Monday at midnight, so every roll cycle starts a fresh cycle here. */
    static final Instant START = Instant.parse("2026-01-05T00:00:00Z");

    private TestLogs() {}

    static SetTimeProvider clockAtStart() {
        return new SetTimeProvider(START);
    }

    static EventLogConfig config(final Path directory, final SetTimeProvider time) {
        return EventLogConfig.of(directory)
                .withMinFreeDiskBytes(0)
                .withClock(() -> Instant.ofEpochMilli(time.currentTimeMillis()));
    }

    static List<LogRecord> drain(final EventLog.Reader reader) {
        final List<LogRecord> records = new ArrayList<>();
        for (Optional<LogRecord> next = reader.poll(); next.isPresent(); next = reader.poll()) {
            records.add(next.get());
        }
        return records;
    }

    static List<String> cycleFiles(final Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(entry -> entry.getFileName().toString())
                    .filter(name -> name.endsWith(".cq4"))
                    .sorted()
                    .toList();
        }
    }
}
