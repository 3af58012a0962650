package io.understudy.backup.replica;

import io.understudy.backup.track.ConnectionKey;
import io.understudy.backup.track.LoggedConnection;
import io.understudy.backup.track.TapEventRecorder;
import io.understudy.backup.track.TapListener;
import io.understudy.backup.track.TrackedConnection;
import io.understudy.backup.track.TrackerInbox;
import io.understudy.logger.EndKind;
import io.understudy.logger.LogRecord;
import io.understudy.logger.LogTail;
import io.understudy.logger.PrimaryEnded;
import io.understudy.logger.PrimaryOpened;
import io.understudy.logger.PrimaryRead;
import io.understudy.logger.PrimaryWrite;
import io.understudy.logger.SequenceMapping;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's read log, as the backup follows it: records arrive on the log tail's thread and are taken in on the
 * capture thread, where each logged connection is matched by 4-tuple with the tap's view of it. Then the log fills
 * what the tap missed of the client's stream (gap repair), gives the replica the primary's read boundaries, and keeps
 * every read a cold (replay) takeover needs. On a match the backup appends the sequence mapping (the tap's ISNs) to
 * the event log, so that one log tells the whole story of the connection. Logged connections the tap has not matched
 * are bounded in number and bytes (the tap's own limits): beyond either, the oldest unmatched is dropped and counted.
 */
public final class ReadLogFeed implements LogTail.Sink, TapListener {
    private static final Logger LOG = LoggerFactory.getLogger(ReadLogFeed.class);
    private static final long HOLE_SCAN_INTERVAL_NS = 10_000_000L;

    private final String nodeId;
    private final boolean replay;
    private final long retainCapBytes;
    private final Queue<LogRecord> inbox = new ConcurrentLinkedQueue<>();
    private final Map<Long, LoggedConnection> byId = new HashMap<>();
    /** The logged connections not matched with the tap's, oldest first. */
    private final LinkedHashMap<Long, LoggedConnection> unmatched = new LinkedHashMap<>();

    private final int maxUnmatched;
    private final long maxUnmatchedBytes;
    private long unmatchedBytes;
    private final Map<ConnectionKey, LoggedConnection> byKey = new HashMap<>();
    /** The tap's open connections the tracker announced, by 4-tuple (its onOpened and onClosed keep this). */
    private final Map<ConnectionKey, TrackedConnection> tapByKey = new HashMap<>();
    /** Where the log's bytes and options go to the tracker, the owner of the tap's connections. */
    private TrackerInbox tracker;

    private TapEventRecorder recorder;
    private long nextHoleScanNs;
    private volatile long received;
    private volatile long matched;
    private volatile long unmatchedDropped;

    /**
     * @param maxUnmatched      logged connections kept while the tap has not matched them.
     * @param maxUnmatchedBytes logged client bytes kept for them, in all.
     */
    public ReadLogFeed(
            final String nodeId,
            final boolean replay,
            final long retainCapBytes,
            final int maxUnmatched,
            final long maxUnmatchedBytes) {
        this.nodeId = nodeId;
        this.replay = replay;
        this.retainCapBytes = retainCapBytes;
        this.maxUnmatched = maxUnmatched;
        this.maxUnmatchedBytes = maxUnmatchedBytes;
    }

    public void attach(final TrackerInbox inbox, final TapEventRecorder recorder) {
        this.tracker = inbox;
        this.recorder = recorder;
    }

    /** On the log tail's thread. */
    @Override
    public void onRecord(final long index, final LogRecord record) {
        if (record instanceof PrimaryOpened
                || record instanceof PrimaryRead
                || record instanceof PrimaryWrite
                || record instanceof PrimaryEnded) {
            inbox.add(record);
        }
    }

    public long received() {
        return received;
    }

    public long matched() {
        return matched;
    }

    /** Unmatched logged connections dropped (oldest first) because they exceeded the count or byte bound. */
    public long unmatchedDropped() {
        return unmatchedDropped;
    }

    /** Unmatched logged connections held now. */
    public int unmatchedCount() {
        return unmatched.size();
    }

    /** Client bytes held now for unmatched logged connections. */
    public long unmatchedBytes() {
        return unmatchedBytes;
    }

    /** Takes in what the log brought since the last call; capture thread. Returns records taken. */
    public int doWork(final long nowNs) {
        int work = 0;
        LogRecord record;
        while ((record = inbox.poll()) != null) {
            work++;
            received++;
            take(record);
        }
        if (nowNs - nextHoleScanNs >= 0) {
            nextHoleScanNs = nowNs + HOLE_SCAN_INTERVAL_NS;
            for (final LoggedConnection logged : byId.values()) {
                if (logged.tap == null) {
                    tryMatch(logged);
                }
                repair(logged);
            }
        }
        return work;
    }

    private void take(final LogRecord record) {
        if (record instanceof PrimaryOpened opened) {
            final ConnectionKey key = new ConnectionKey(
                    opened.clientAddress(), opened.clientPort(), opened.serverAddress(), opened.serverPort());
            final LoggedConnection logged = new LoggedConnection(opened.connectionId(), key, opened);
            byId.put(logged.primaryId, logged);
            byKey.put(key, logged);
            unmatched.put(logged.primaryId, logged);
            tryMatch(logged);
            boundUnmatched();
            return;
        }
        final LoggedConnection logged = byId.get(record.connectionId());
        if (logged == null) {
            return; // opened before this backup followed the log: the tap alone covers it
        }
        if (record instanceof PrimaryRead read) {
            final long before = logged.retainedBytes();
            logged.onRead(read.streamOffset(), read.bytes());
            if (logged.tap == null) {
                unmatchedBytes += logged.retainedBytes() - before;
                boundUnmatched();
            }
            onLogAdvanced(logged);
        } else if (record instanceof PrimaryEnded ended
                && (ended.kind() == EndKind.CLOSED
                        || ended.kind() == EndKind.CLIENT_RESET
                        || ended.kind() == EndKind.APP_RESET)) {
            logged.ended = true;
            forget(logged);
        }
    }

    /**
     * Matches a logged connection with the tap's, if the tap announced it; else hands the tracker the options the
     * log knows, which complete a connection whose handshake the tap half missed (its announcement then matches it).
     */
    private void tryMatch(final LoggedConnection logged) {
        final TrackedConnection tap = tapByKey.get(logged.key);
        if (tap != null) {
            if (tap.isOpen() && tap.logged == null) {
                match(logged, tap);
            }
            return;
        }
        final io.understudy.logger.PrimaryOpened options = logged.opened;
        if (options.optionsKnown()) {
            tracker.options(new TrackerInbox.Options(
                    logged.key,
                    options.mss(),
                    options.clientWindowScale(),
                    options.serverWindowScale(),
                    options.sackPermitted(),
                    options.timestamps()));
        }
    }

    @Override
    public void onOpened(final TrackedConnection connection, final long nowNs) {
        if (connection.isOpen()) {
            tapByKey.put(connection.key, connection);
        }
        if (replay) {
            // Cold standby: client bytes stay in the tap until the log has them (nothing consumes them before).
            connection.retainForReplay();
        }
        final LoggedConnection logged = byKey.get(connection.key);
        if (logged != null && logged.tap == null && !logged.ended) {
            match(logged, connection);
        }
    }

    @Override
    public void onClosed(final TrackedConnection connection, final long nowNs) {
        tapByKey.remove(connection.key, connection);
        final LoggedConnection logged = connection.logged;
        if (logged != null && logged.tap == connection) {
            forget(logged);
        }
    }

    private void match(final LoggedConnection logged, final TrackedConnection tap) {
        if (unmatched.remove(logged.primaryId) != null) {
            unmatchedBytes -= logged.retainedBytes();
        }
        logged.tap = tap;
        tap.logged = logged;
        matched++;
        if (tap.handshakeSeen()) {
            recorder.append(new SequenceMapping(
                    logged.primaryId,
                    System.nanoTime(),
                    tap.id,
                    Integer.toUnsignedLong(tap.client.isn),
                    Integer.toUnsignedLong(tap.server.isn)));
        }
        LOG.debug("[{}] {} is the primary's logged connection {}", nodeId, tap, logged.primaryId);
        onLogAdvanced(logged);
    }

    private void onLogAdvanced(final LoggedConnection logged) {
        final TrackedConnection tap = logged.tap;
        if (tap == null) {
            return;
        }
        repair(logged);
        if (replay && tap.isProtected()) {
            // The log holds these client bytes now: the tap need not keep them for the replay.
            tap.clientNeededFrom(logged.gap == null ? logged.contiguousEnd : 0);
            if (logged.retainedBytes() > retainCapBytes) {
                tap.unprotect("its read log exceeds the replay cap (" + retainCapBytes + " bytes)");
                logged.clear();
            }
        } else if (!replay) {
            // The hot replica took what it was fed; the tap has the rest.
            logged.releaseUpTo(Math.min(tap.clientNeededFrom(), tap.client.nextOffset));
        }
    }

    /**
     * Asks the tracker to fill the tap's client stream from the log, when the log holds the byte the tap waits for
     * next: the tracker's own test, read here (same thread) so that the scan of every connection each
     * {@link #HOLE_SCAN_INTERVAL_NS} asks only for those with something to fill. Asking for all of them (2,000
     * connections, 200,000 requests a second) was a third of a loaded capture thread's time.
     */
    private void repair(final LoggedConnection logged) {
        final TrackedConnection tap = logged.tap;
        if (tap != null && tap.isOpen() && logged.readAt(tap.client.nextOffset) != null) {
            tracker.repairFromLog(tap);
        }
    }

    /** Drops the oldest unmatched logged connections while there are too many or they hold too many bytes. */
    private void boundUnmatched() {
        while (unmatched.size() > maxUnmatched || unmatchedBytes > maxUnmatchedBytes && !unmatched.isEmpty()) {
            final LoggedConnection oldest = unmatched.values().iterator().next();
            final long dropped = ++unmatchedDropped;
            if (Long.bitCount(dropped) == 1) {
                LOG.warn(
                        "[{}] dropped the primary's logged connection {} {} unmatched by the tap: {} unmatched, "
                                + "{} bytes (maxUnmatched={}, maxUnmatchedBytes={}); dropped so far: {}",
                        nodeId,
                        oldest.primaryId,
                        oldest.key,
                        unmatched.size(),
                        unmatchedBytes,
                        maxUnmatched,
                        maxUnmatchedBytes,
                        dropped);
            }
            forget(oldest);
        }
    }

    private void forget(final LoggedConnection logged) {
        if (unmatched.remove(logged.primaryId) != null) {
            unmatchedBytes -= logged.retainedBytes();
        }
        byId.remove(logged.primaryId);
        byKey.remove(logged.key, logged);
        if (!replay || logged.tap == null || !logged.tap.isOpen()) {
            logged.clear();
        }
    }

    /** Logged connections being followed now. */
    public List<LoggedConnection> all() {
        return new ArrayList<>(byId.values());
    }
}
