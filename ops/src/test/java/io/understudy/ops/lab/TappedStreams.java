package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.logger.ConnectionOpened;
import io.understudy.logger.Direction;
import io.understudy.logger.EventLog;
import io.understudy.logger.EventLogConfig;
import io.understudy.logger.LogRecord;
import io.understudy.logger.StreamData;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Both byte streams of one connection as the backup's tap recorded them in its event log.
 */
final class TappedStreams {
    private final ByteArrayOutputStream client = new ByteArrayOutputStream();
    private final ByteArrayOutputStream server = new ByteArrayOutputStream();
    private boolean opened;

    /** Reads a node's event log (while the node may still append to it) and rebuilds every connection's streams. */
    static Map<Long, TappedStreams> readAll(final Path directory) {
        final Map<Long, TappedStreams> connections = new LinkedHashMap<>();
        try (EventLog log = EventLog.open(EventLogConfig.of(directory));
                EventLog.Reader reader = log.reader()) {
            Optional<LogRecord> next;
            while ((next = reader.poll()).isPresent()) {
                final LogRecord record = next.get();
                final TappedStreams streams =
                        connections.computeIfAbsent(record.connectionId(), id -> new TappedStreams());
                if (record instanceof ConnectionOpened) {
                    streams.opened = true;
                } else if (record instanceof StreamData data) {
                    streams.append(data);
                }
            }
        }
        return connections;
    }

    private void append(final StreamData data) {
        final ByteArrayOutputStream stream = data.direction() == Direction.CLIENT_TO_SERVER ? client : server;
        assertThat(data.streamOffset())
                .as("stream offset of the next tapped bytes")
                .isEqualTo(stream.size());
        stream.writeBytes(data.bytes());
    }

    String client() {
        return client.toString(StandardCharsets.US_ASCII);
    }

    String server() {
        return server.toString(StandardCharsets.US_ASCII);
    }

    /**
     * The client stream is INCR requests on one key; the server stream is one reply per request, request counters
     * 1, 2, 3... and values counting up by one: exactly the bytes both ends exchanged.
     */
    void assertRequestsAndRepliesMatch() {
        assertThat(opened).as("connection opened in the log").isTrue();
        final String[] requests = client().split("\n", -1);
        final String[] replies = server().split("\n", -1);
        assertThat(requests[requests.length - 1])
                .as("client stream ends with a whole line")
                .isEmpty();
        assertThat(replies.length).as("one reply per request").isEqualTo(requests.length);
        final long firstValue = Long.parseLong(replies[0].split(" ")[1]);
        for (int i = 0; i < requests.length - 1; i++) {
            assertThat(requests[i]).isEqualTo(requests[0]).startsWith("INCR lg-");
            assertThat(replies[i]).isEqualTo((i + 1) + " " + (firstValue + i));
        }
    }
}
