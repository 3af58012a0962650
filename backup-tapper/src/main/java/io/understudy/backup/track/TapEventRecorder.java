package io.understudy.backup.track;

import io.understudy.logger.CloseReason;
import io.understudy.logger.ConnectionClosed;
import io.understudy.logger.ConnectionOpened;
import io.understudy.logger.Direction;
import io.understudy.logger.EventLog;
import io.understudy.logger.LogRecord;
import io.understudy.logger.StreamAcked;
import io.understudy.logger.StreamData;
import io.understudy.logger.UnderstudyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends what the tap learns to the event log, so that takeover and tests can replay every connection: opened
 * (with the handshake's options), each stream's bytes as they become contiguous, acks, close. A failed append is
 * counted and reported, never thrown into the capture loop.
 */
public final class TapEventRecorder implements TapListener {
    private static final Logger LOG = LoggerFactory.getLogger(TapEventRecorder.class);

    private final String nodeId;
    private final EventLog log;
    private volatile long appended;
    private volatile long failures;

    public TapEventRecorder(final String nodeId, final EventLog log) {
        this.nodeId = nodeId;
        this.log = log;
    }

    @Override
    public void onOpened(final TrackedConnection connection, final long nowNs) {
        final StreamDirection client = connection.client;
        final StreamDirection server = connection.server;
        final boolean scaling = connection.windowScalingNegotiated();
        append(new ConnectionOpened(
                connection.id,
                nowNs,
                connection.key.clientAddress(),
                connection.key.clientPort(),
                connection.key.serverAddress(),
                connection.key.serverPort(),
                connection.handshakeSeen(),
                client.synSeen ? Integer.toUnsignedLong(client.isn) : -1,
                server.synSeen ? Integer.toUnsignedLong(server.isn) : -1,
                client.synSeen ? client.mss : -1,
                scaling ? client.windowScale : -1,
                scaling ? server.windowScale : -1,
                connection.sackPermitted(),
                connection.timestampsNegotiated()));
    }

    @Override
    public void onData(
            final TrackedConnection connection,
            final boolean fromClient,
            final long streamOffset,
            final byte[] bytes,
            final int offset,
            final int length,
            final long nowNs) {
        final byte[] copy = new byte[length];
        System.arraycopy(bytes, offset, copy, 0, length);
        append(new StreamData(connection.id, nowNs, direction(fromClient), streamOffset, copy));
    }

    @Override
    public void onAcked(
            final TrackedConnection connection,
            final boolean clientStream,
            final long ackedOffset,
            final int rawAck,
            final long window,
            final long nowNs) {
        append(new StreamAcked(
                connection.id, nowNs, direction(clientStream), ackedOffset, Integer.toUnsignedLong(rawAck), window));
    }

    @Override
    public void onClosed(final TrackedConnection connection, final long nowNs) {
        append(new ConnectionClosed(
                connection.id,
                nowNs,
                switch (connection.state) {
                    case RESET -> CloseReason.RESET;
                    case REPLACED -> CloseReason.EVICTED;
                    default -> CloseReason.FIN_BOTH;
                },
                connection.state == ConnectionState.REPLACED ? "a new connection took its 4-tuple" : ""));
    }

    public long appended() {
        return appended;
    }

    public long failures() {
        return failures;
    }

    private static Direction direction(final boolean fromClient) {
        return fromClient ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT;
    }

    public void append(final LogRecord record) {
        try {
            log.append(record);
            appended++;
        } catch (final UnderstudyException ex) {
            if (failures++ % 10_000 == 0) {
                LOG.error("[{}] event log append failed ({} failures so far): {}", nodeId, failures, ex.getMessage());
            }
        }
    }
}
