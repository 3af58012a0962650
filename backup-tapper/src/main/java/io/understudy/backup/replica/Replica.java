package io.understudy.backup.replica;

import io.understudy.backup.track.LoggedConnection;
import io.understudy.backup.track.StreamBuffer;
import io.understudy.backup.track.StreamDirection;
import io.understudy.backup.track.TrackedConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * The backup's own connection to its instance of the app for one tapped connection: fed the client's bytes as the
 * primary acknowledges them, its output compared byte for byte with what the primary sent (what differences are
 * tolerated: {@link DivergencePolicy}). Output not yet
 * compared (the replica ran ahead of the primary) is kept, since after a takeover it is the client's next bytes.
 */
public final class Replica {
    private static final int READ_CHUNK_BYTES = 64 * 1024;

    public final TrackedConnection connection;
    public final SocketChannel channel;
    /** The port of {@link #channel} here (the app sees it as its peer), known once connected (0 before). */
    public int appSidePort;

    public SelectionKey key;
    public boolean connected;
    /** Client stream bytes written to the replica. */
    public long fedOffset;
    /** Server stream offset up to which the replica's output equals the primary's. */
    public long comparedOffset;
    /** Replica output from {@link #comparedOffset} on, not yet compared. */
    private byte[] ahead = new byte[0];

    private int aheadLength;
    public boolean outputEnded;
    public boolean inputShut;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_CHUNK_BYTES);

    /** Output below what the tap retains of the primary's is taken unchecked (a replay regenerates it). */
    private final boolean skipUnretained;

    /** The replica's output against the primary's, under the node's divergence policy. */
    private final OutputComparator comparator;

    public Replica(
            final TrackedConnection connection,
            final SocketChannel channel,
            final boolean skipUnretained,
            final DivergencePolicy divergence) {
        this.comparator = new OutputComparator(divergence);
        this.connection = connection;
        this.channel = channel;
        this.skipUnretained = skipUnretained;
    }

    /**
     * Starts from where this node's own app stood at a planned handover: fed the client's bytes before
     * {@code fed}, its output equal to the client's server stream before {@code compared}, then {@code output}.
     */
    public void seed(final long fed, final long compared, final byte[] output) {
        fedOffset = fed;
        comparedOffset = compared;
        ahead = output.clone();
        aheadLength = output.length;
    }

    /** Bytes the replica produced: compared ones and those ahead. */
    public long producedOffset() {
        return comparedOffset + aheadLength;
    }

    /**
     * Writes client bytes the primary acknowledged and the replica has not had, as far as the socket takes them.
     *
     * @return bytes written.
     */
    public int feed() throws IOException {
        final long target = connection.clientBytesToFeed();
        int total = 0;
        while (connected && fedOffset < target) {
            // One write per read the primary's app got (as far as the log tells them): the same chunks, in order.
            final LoggedConnection logged = connection.logged;
            final long boundary = logged == null ? -1 : logged.boundaryAfter(fedOffset);
            final long end = boundary > fedOffset && boundary < target ? boundary : target;
            final int written = channel.write(ByteBuffer.wrap(clientBytes(fedOffset, end)));
            fedOffset += written;
            total += written;
            if (fedOffset < end) {
                break; // the replica's socket is full
            }
        }
        connection.clientNeededFrom(fedOffset);
        shutInputAfterClientFin();
        return total;
    }

    /** Client bytes [from, to): from the tap while it retains them, else from the primary's read log. */
    private byte[] clientBytes(final long from, final long to) throws IOException {
        final StreamBuffer buffer = connection.client.buffer();
        if (from >= buffer.startOffset() && !buffer.hasOverflowed()) {
            return buffer.copy(from, to);
        }
        final LoggedConnection logged = connection.logged;
        final byte[] bytes = logged == null ? null : logged.bytes(from, to);
        if (bytes == null) {
            throw new IOException("client bytes " + from + ".." + to + " are neither retained by the tap (kept from "
                    + buffer.startOffset() + ") nor in the read log");
        }
        return bytes;
    }

    /** The client sent a FIN, the primary acked it and the replica has every byte before it: pass the FIN on. */
    private void shutInputAfterClientFin() throws IOException {
        final StreamDirection client = connection.client;
        if (!inputShut
                && client.isFinished()
                && client.ackedByPeer > client.nextOffset
                && fedOffset == client.nextOffset) {
            channel.shutdownOutput();
            inputShut = true;
        }
    }

    /**
     * Reads what the replica wrote.
     *
     * @return bytes read; -1 at the replica's end of stream.
     */
    public int read() throws IOException {
        readBuffer.clear();
        final int read = channel.read(readBuffer);
        if (read < 0) {
            outputEnded = true;
            return -1;
        }
        if (read > 0) {
            if (aheadLength + read > ahead.length) {
                ahead = Arrays.copyOf(ahead, Math.max(aheadLength + read, ahead.length * 2));
            }
            System.arraycopy(readBuffer.array(), 0, ahead, aheadLength, read);
            aheadLength += read;
        }
        return read;
    }

    /**
     * Compares the replica's output with the primary's as far as both go.
     *
     * @return null when they agree so far, else a description of the first difference.
     */
    public String compare() {
        final StreamDirection server = connection.server;
        final StreamBuffer tapped = server.buffer();
        final long end = Math.min(producedOffset(), server.nextOffset);
        if (end <= comparedOffset) {
            return null;
        }
        if (skipUnretained && comparedOffset < tapped.startOffset() && !tapped.hasOverflowed()) {
            // Regenerated output the client already acknowledged: the tap let it go, nothing to compare it with.
            if (aheadLength == 0) {
                return null;
            }
            final int skip = (int) Math.min(tapped.startOffset() - comparedOffset, aheadLength);
            aheadLength -= skip;
            System.arraycopy(ahead, skip, ahead, 0, aheadLength);
            comparedOffset += skip;
            connection.serverNeededFrom(comparedOffset);
            return compare();
        }
        if (comparedOffset < tapped.startOffset() || tapped.hasOverflowed()) {
            return "primary output from offset " + comparedOffset + " no longer retained";
        }
        final byte[] primary = tapped.copy(comparedOffset, end);
        final String differs = comparator.compare(comparedOffset, primary, ahead, primary.length);
        if (differs != null) {
            return differs;
        }
        aheadLength -= primary.length;
        System.arraycopy(ahead, primary.length, ahead, 0, aheadLength);
        comparedOffset = end;
        connection.serverNeededFrom(comparedOffset);
        return null;
    }

    /** Same-length differences from the primary's output tolerated on this connection. */
    public long toleratedDifferences() {
        return comparator.toleratedDifferences();
    }

    /** The differing bytes in them. */
    public long differingBytes() {
        return comparator.differingBytes();
    }

    /** The first {@code length} bytes of output not compared yet (they fill what the tap missed of the primary's). */
    public byte[] aheadPrefix(final int length) {
        return Arrays.copyOf(ahead, Math.min(length, aheadLength));
    }

    /** Replica output the primary never sent: after a takeover, the client's next bytes. */
    public byte[] outputAhead() {
        return Arrays.copyOf(ahead, aheadLength);
    }
}
