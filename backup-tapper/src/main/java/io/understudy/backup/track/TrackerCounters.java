package io.understudy.backup.track;

/**
 * What the tracker counted. Written by the capture thread only; read by others as a snapshot (values may be a little
 * stale, never torn: each is a single long).
 */
public final class TrackerCounters {
    public volatile long segments;
    /**
     * Connections in the tracker's table now (open, or closed and lingering). Other threads read this, never the
     * table: its iterator fails when the capture thread changes it meanwhile (a takeover failed on that under a
     * 2,000-connection load, a ConcurrentModificationException from the tap's stats).
     */
    public volatile int connectionsTracked;

    public volatile long notService;
    public volatile long connectionsOpened;
    public volatile long connectionsMidStream;
    public volatile long connectionsClosed;
    public volatile long connectionsReset;
    /** Connections the tap could not track (its table at tap.maxConnections): they are not protected. */
    public volatile long connectionsRefusedOverLimit;

    public volatile long retransmittedSegments;
    public volatile long outOfOrderSegments;
    public volatile long overflowedStreams;
    /** Client bytes the tap missed and took from the primary's read log. */
    public volatile long bytesFromLog;
    /** Server bytes the tap missed and took from the replica's output. */
    public volatile long bytesFromReplica;
    /**
     * When the server side last made progress (sent new bytes or acknowledged new client bytes), by the tap's clock;
     * 0 before any. Retransmissions do not count: a dead node's orphaned sockets keep retransmitting for minutes.
     */
    public volatile long lastServerProgressNs;
    /**
     * Since when client bytes have waited unacked with no progress at all from the server side, by the tap's clock:
     * the last progress if some were unacked then, else the first client bytes to wait after it; 0 while none wait.
     * A live primary's kernel acknowledges client bytes within its delayed-ACK time (about 40 ms) even when its app
     * is slow or paused, so client bytes that wait much longer with no progress at all from the server side are the
     * primary stopping, heard at wire speed.
     */
    public volatile long clientWaitingSinceNs;
}
