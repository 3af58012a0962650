package io.understudy.backup.track;

/**
 * One TCP connection as the tap sees it: both streams, the handshake's options and the connection's state.
 */
public final class TrackedConnection {
    public final long id;
    public final ConnectionKey key;
    public final StreamDirection client;
    public final StreamDirection server;
    public long lastSeenNs;
    /** Open, with client bytes the tap heard that the server has not acked (TcpTracker counts these). */
    public boolean clientPending;

    public long closedAtNs;
    public ConnectionState state = ConnectionState.ESTABLISHED;
    /** Listeners were told of this connection: its handshake completed, or it was picked up mid-stream. */
    public boolean announced;
    /**
     * The client stream offset from which the replica still needs the tap's client bytes (it was fed those before, or
     * the read log holds them); they are retained until both it and the server's ack pass them. Written only through
     * the retention methods below, the one place that decides what the tap keeps.
     */
    private long clientNeededFrom = Long.MAX_VALUE;
    /** The server stream offset up to which the replica's output was compared; server bytes are kept until then too. */
    private long serverNeededFrom = Long.MAX_VALUE;
    /** The client's MAC address as the tap saw it (untagged Ethernet only), null when unknown. */
    public byte[] clientMac;
    /**
     * The primary's read log of this connection, once matched; null when the log has not (yet) got it. Written on the
     * capture thread; volatile for the seed service, which reads it from its own.
     */
    public volatile LoggedConnection logged;
    /** Why this connection cannot be restored on takeover; null while it is protected. */
    public String unprotectedReason;

    public TrackedConnection(
            final long id,
            final ConnectionKey key,
            final StreamDirection client,
            final StreamDirection server,
            final long nowNs) {
        this.id = id;
        this.key = key;
        this.client = client;
        this.server = server;
        this.lastSeenNs = nowNs;
    }

    /** The tap missed one of the SYNs; the options are the primary's, from its read log. */
    public boolean optionsFromLog;

    /**
     * The client's SYN and the server's SYN-ACK were both seen, or one of them and the read log told the rest:
     * options and ISNs are known.
     */
    public boolean handshakeSeen() {
        return client.synSeen && server.synSeen || optionsFromLog;
    }

    /** Picked up after it opened: options are unknown. */
    public boolean isMidStream() {
        return !handshakeSeen();
    }

    public boolean windowScalingNegotiated() {
        return handshakeSeen() && client.windowScale >= 0 && server.windowScale >= 0;
    }

    public boolean sackPermitted() {
        return handshakeSeen() && client.sackPermitted && server.sackPermitted;
    }

    public boolean timestampsNegotiated() {
        return handshakeSeen() && client.timestampsOffered && server.timestampsOffered;
    }

    /** Set at a takeover: the end of the client bytes the tap holds in order (-1 before). */
    private long takeoverClientEnd = -1;

    public boolean isProtected() {
        return unprotectedReason == null;
    }

    /** Marks the connection as one takeover cannot restore, and stops holding bytes for the replica. */
    public void unprotect(final String reason) {
        if (unprotectedReason == null) {
            unprotectedReason = reason;
        }
        clientNeededFrom = Long.MAX_VALUE;
        serverNeededFrom = Long.MAX_VALUE;
        releaseAcked(true);
        releaseAcked(false);
    }

    // ---------------------------------------------------------------- retention: what the tap keeps of each stream

    /** A hot replica starts on this connection: it needs every client byte and every server byte to compare. */
    public void retainForReplica() {
        clientNeededFrom = 0;
        serverNeededFrom = 0;
    }

    /** Cold standby: client bytes stay in the tap until the read log has them; the output is not compared. */
    public void retainForReplay() {
        clientNeededFrom = 0;
        serverNeededFrom = Long.MAX_VALUE;
    }

    /** The replica needs the tap's client bytes only from {@code offset} on (it was fed them, or the log has them). */
    public void clientNeededFrom(final long offset) {
        clientNeededFrom = offset;
        releaseAcked(true);
    }

    /** The replica's output was compared up to {@code offset}: the tap's server bytes before it are not needed. */
    public void serverNeededFrom(final long offset) {
        serverNeededFrom = offset;
        releaseAcked(false);
    }

    /** The client stream offset from which the replica still needs the tap's bytes (MAX_VALUE: none). */
    public long clientNeededFrom() {
        return clientNeededFrom;
    }

    /**
     * Drops what the tap holds of one stream that neither the peer's ack nor the replica needs any more: called
     * when either moves.
     */
    public void releaseAcked(final boolean clientStream) {
        final StreamDirection stream = stream(clientStream);
        final long acked = Math.min(stream.ackedByPeer, stream.nextOffset);
        stream.buffer().releaseUpTo(Math.min(acked, clientStream ? clientNeededFrom : serverNeededFrom));
    }

    /** The connection is gone: the tap keeps nothing of it. */
    public void releaseAll() {
        client.buffer().clear();
        server.buffer().clear();
    }

    /**
     * The client bytes the replica is given: those the primary certainly received, and at a takeover (once
     * {@link #takeClientBytesBeyondPrimary()} was called) every byte the tap holds in order beyond them.
     */
    public long clientBytesToFeed() {
        return Math.max(clientBytesAtPrimary(), takeoverClientEnd);
    }

    /**
     * At a takeover, with the primary gone: the client bytes the tap saw that the primary never acked (the request
     * in flight when it died, and the client's retransmissions of it) go to the replica too, and the restored socket
     * starts past them. Its first segment then answers and acknowledges that request, instead of waiting for the
     * client's next retransmission (up to 1.6 s after a crash, or more). Returns how many bytes that adds.
     */
    public long takeClientBytesBeyondPrimary() {
        final long atPrimary = clientBytesAtPrimary();
        if (client.finSeen || client.nextOffset <= atPrimary) {
            return 0;
        }
        takeoverClientEnd = client.nextOffset;
        return takeoverClientEnd - atPrimary;
    }

    /**
     * The client bytes a takeover gave the replica beyond what the primary certainly received, from
     * {@link #clientBytesAtPrimary()} to {@link #clientBytesToFeed()}; null when the tap no longer holds them.
     */
    public byte[] clientBytesBeyondPrimary() {
        final long from = clientBytesAtPrimary();
        final long to = clientBytesToFeed();
        final StreamBuffer buffer = client.buffer();
        if (from >= to) {
            return new byte[0];
        }
        if (buffer.hasOverflowed() || from < buffer.startOffset() || to > buffer.startOffset() + buffer.size()) {
            return null;
        }
        return buffer.copy(from, to);
    }

    /**
     * Client bytes the primary certainly received: what the tap saw it ack, or what the read log says it read (the
     * tap may have missed the ack), as far as the tap has the bytes.
     */
    public long clientBytesAtPrimary() {
        final long acked = Math.min(client.ackedByPeer, client.nextOffset);
        final long read = logged == null || logged.gap != null ? 0 : Math.min(logged.contiguousEnd, client.nextOffset);
        return Math.max(acked, read);
    }

    public boolean isOpen() {
        return state == ConnectionState.ESTABLISHED;
    }

    public StreamDirection stream(final boolean fromClient) {
        return fromClient ? client : server;
    }

    @Override
    public String toString() {
        return "connection " + id + " " + key + " " + state;
    }
}
