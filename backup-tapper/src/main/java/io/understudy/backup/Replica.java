package io.understudy.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * The backup's own connection to its instance of the app for one tapped connection: fed the client's bytes as the
 * primary acknowledges them, its output compared byte for byte with what the primary sent. Output not yet
 * compared (the replica ran ahead of the primary) is kept, since after a takeover it is the client's next bytes.
 */
final class Replica
{
    private static final int READ_CHUNK_BYTES = 64 * 1024;

    final TrackedConnection connection;
    final SocketChannel channel;
    SelectionKey key;
    boolean connected;
    /** Client stream bytes written to the replica. */
    long fedOffset;
    /** Server stream offset up to which the replica's output equals the primary's. */
    long comparedOffset;
    /** Replica output from {@link #comparedOffset} on, not yet compared. */
    private byte[] ahead = new byte[0];
    private int aheadLength;
    boolean outputEnded;
    boolean inputShut;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_CHUNK_BYTES);

    Replica(final TrackedConnection connection, final SocketChannel channel)
    {
        this.connection = connection;
        this.channel = channel;
    }

    /** Bytes the replica produced: compared ones and those ahead. */
    long producedOffset()
    {
        return comparedOffset + aheadLength;
    }

    /**
     * Writes client bytes the primary acknowledged and the replica has not had, as far as the socket takes them.
     *
     * @return bytes written.
     */
    int feed() throws IOException
    {
        final StreamDirection client = connection.client;
        final long target = Math.min(client.ackedByPeer, client.nextOffset);
        if (!connected || fedOffset >= target)
        {
            shutInputAfterClientFin();
            return 0;
        }
        final StreamBuffer buffer = client.buffer();
        if (fedOffset < buffer.startOffset() || buffer.hasOverflowed())
        {
            throw new IOException("client bytes from offset " + fedOffset + " are no longer retained (kept from " +
                buffer.startOffset() + ")");
        }
        final int written = channel.write(ByteBuffer.wrap(buffer.copy(fedOffset, target)));
        fedOffset += written;
        connection.replicaConsumedOffset = fedOffset;
        shutInputAfterClientFin();
        return written;
    }

    /** The client sent a FIN, the primary acked it and the replica has every byte before it: pass the FIN on. */
    private void shutInputAfterClientFin() throws IOException
    {
        final StreamDirection client = connection.client;
        if (!inputShut && client.isFinished() && client.ackedByPeer > client.nextOffset &&
            fedOffset == client.nextOffset)
        {
            channel.shutdownOutput();
            inputShut = true;
        }
    }

    /**
     * Reads what the replica wrote.
     *
     * @return bytes read; -1 at the replica's end of stream.
     */
    int read() throws IOException
    {
        readBuffer.clear();
        final int read = channel.read(readBuffer);
        if (read < 0)
        {
            outputEnded = true;
            return -1;
        }
        if (read > 0)
        {
            if (aheadLength + read > ahead.length)
            {
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
    String compare()
    {
        final StreamDirection server = connection.server;
        final StreamBuffer tapped = server.buffer();
        final long end = Math.min(producedOffset(), server.nextOffset);
        if (end <= comparedOffset)
        {
            return null;
        }
        if (comparedOffset < tapped.startOffset() || tapped.hasOverflowed())
        {
            return "primary output from offset " + comparedOffset + " no longer retained";
        }
        final byte[] primary = tapped.copy(comparedOffset, end);
        for (int i = 0; i < primary.length; i++)
        {
            if (primary[i] != ahead[i])
            {
                return "replica output differs from the primary's at server offset " + (comparedOffset + i) +
                    ": primary 0x" + Integer.toHexString(primary[i] & 0xff) + ", replica 0x" +
                    Integer.toHexString(ahead[i] & 0xff);
            }
        }
        aheadLength -= primary.length;
        System.arraycopy(ahead, primary.length, ahead, 0, aheadLength);
        comparedOffset = end;
        connection.replicaComparedOffset = comparedOffset;
        tapped.releaseUpTo(Math.min(comparedOffset, server.ackedByPeer));
        return null;
    }

    /** Replica output the primary never sent: after a takeover, the client's next bytes. */
    byte[] outputAhead()
    {
        return Arrays.copyOf(ahead, aheadLength);
    }
}
