package io.understudy.logger;

import static io.understudy.logger.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogCorruptionTest {
    private static final String MARKER = "UNDERSTUDY-MARKER-0123456789";

    @TempDir
    Path directory;

    private final SetTimeProvider time = TestLogs.clockAtStart();

    @Test
    void shouldNameIndexAndSkipRecordWhenItsBytesChangedOnDisk() throws IOException {
        final long corruptIndex;
        try (EventLog log = EventLog.open(config(directory, time))) {
            log.append(Samples.opened(1));
            corruptIndex = log.append(Samples.data(1, 0, MARKER));
            log.append(Samples.acked(1, MARKER.length()));
        }
        flipByteInside(directory.resolve(TestLogs.cycleFiles(directory).get(0)), MARKER);

        try (EventLog log = EventLog.open(config(directory, time));
                EventLog.Reader reader = log.reader()) {
            assertThat(reader.poll()).contains(Samples.opened(1));
            assertThatThrownBy(reader::poll)
                    .isExactlyInstanceOf(UnderstudyException.class)
                    .hasMessageMatching("corrupt record at index 0x" + Long.toHexString(corruptIndex)
                            + ": crc=0x[0-9a-f]+, expected=0x[0-9a-f]+");
            assertThat(reader.lastReadIndex()).isEqualTo(corruptIndex);
            assertThat(reader.poll()).contains(Samples.acked(1, MARKER.length()));
            assertThat(reader.poll()).isEmpty();
        }
    }

    @Test
    void shouldNameIndexAndSkipDocumentWhenAnotherWriterPutGarbageInTheQueue() {
        try (EventLog log = EventLog.open(config(directory, time))) {
            log.append(Samples.opened(1));
        }
        final long tooShort = appendRaw(new byte[] {1, 2, 3});
        final long garbage = appendRaw("not an understudy record, just text".getBytes(StandardCharsets.US_ASCII));

        try (EventLog log = EventLog.open(config(directory, time));
                EventLog.Reader reader = log.reader()) {
            log.append(Samples.closed(1));

            assertThat(reader.poll()).contains(Samples.opened(1));
            assertThatThrownBy(reader::poll)
                    .isExactlyInstanceOf(UnderstudyException.class)
                    .hasMessage("corrupt record at index 0x" + Long.toHexString(tooShort)
                            + ": length=3, expected 21..1048617");
            assertThatThrownBy(reader::poll)
                    .isExactlyInstanceOf(UnderstudyException.class)
                    .hasMessageStartingWith("corrupt record at index 0x" + Long.toHexString(garbage) + ": crc=0x");
            assertThat(reader.poll()).contains(Samples.closed(1));
        }
    }

    @Test
    void shouldRefuseReplayWhenAnyRecordIsCorrupt() {
        try (EventLog log = EventLog.open(config(directory, time))) {
            log.append(Samples.opened(1));
        }
        final long garbage = appendRaw(new byte[40]);

        try (EventLog log = EventLog.open(config(directory, time))) {
            log.append(Samples.opened(2));

            // The damaged record may have been connection 2's: a replay without it could be silently short.
            assertThatThrownBy(() -> log.replay(2))
                    .isExactlyInstanceOf(UnderstudyException.class)
                    .hasMessageStartingWith("corrupt record at index 0x" + Long.toHexString(garbage) + ": crc=0x");
        }
    }

    @Test
    void shouldReadEveryOtherRecordWhenManyAreDamaged() throws IOException {
        try (EventLog log = EventLog.open(config(directory, time))) {
            for (int i = 0; i < 10; i++) {
                log.append(Samples.data(1, i, i % 2 == 0 ? MARKER + i : "fine-" + i));
            }
        }
        final Path cycleFile = directory.resolve(TestLogs.cycleFiles(directory).get(0));
        for (int i = 0; i < 10; i += 2) {
            flipByteInside(cycleFile, MARKER + i);
        }

        try (EventLog log = EventLog.open(config(directory, time));
                EventLog.Reader reader = log.reader()) {
            int corrupt = 0;
            final List<LogRecord> intact = new ArrayList<>();
            for (int poll = 0; poll < 10; poll++) {
                try {
                    reader.poll().ifPresent(intact::add);
                } catch (final UnderstudyException ex) {
                    corrupt++;
                }
            }

            assertThat(corrupt).isEqualTo(5);
            assertThat(intact)
                    .extracting(record -> ((StreamData) record).streamOffset())
                    .containsExactly(1L, 3L, 5L, 7L, 9L);
            assertThat(reader.poll()).isEmpty();
        }
    }

    /** Writes one document of raw bytes with Chronicle's own API, as a foreign or buggy writer would. */
    private long appendRaw(final byte[] bytes) {
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.single(directory.toFile())
                        .rollCycle(RollCycles.FAST_HOURLY)
                        .timeProvider(time)
                        .build();
                ExcerptAppender appender = queue.createAppender()) {
            try (DocumentContext context = appender.writingDocument()) {
                context.wire().bytes().write(bytes, 0, bytes.length);
            }
            return appender.lastIndexAppended();
        }
    }

    /** Flips one bit in the middle of the only occurrence of {@code text} in a (sparse) cycle file. */
    private static void flipByteInside(final Path file, final String text) throws IOException {
        final byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
            final int at = indexOf(map, needle);
            assertThat(at).as("%s in %s", text, file).isNotNegative();
            final int target = at + needle.length / 2;
            map.put(target, (byte) (map.get(target) ^ 0x20));
            map.force();
        }
    }

    private static int indexOf(final MappedByteBuffer map, final byte[] needle) {
        outer:
        for (int start = 0; start + needle.length <= map.limit(); start++) {
            for (int i = 0; i < needle.length; i++) {
                if (map.get(start + i) != needle[i]) {
                    continue outer;
                }
            }
            return start;
        }
        return -1;
    }
}
