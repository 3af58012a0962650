package io.understudy.admin.cluster;

import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * A pass-through layer just above the transport (and above the fault-injection DISCARD) that notes when anything last
 * arrived from another node: heartbeats, discovery, merge probes, data. That age is the heartbeat age the admin API
 * shows; FD_ALL3 keeps only bitmaps, not times.
 */
final class LastHeardTracker extends Protocol
{
    private static final long NEVER = Long.MIN_VALUE;

    private volatile long lastHeardNs = NEVER;

    @Override
    public Object up(final Message msg)
    {
        onReceived(msg.getSrc(), System.nanoTime());
        return up_prot.up(msg);
    }

    @Override
    public void up(final MessageBatch batch)
    {
        onReceived(batch.sender(), System.nanoTime());
        up_prot.up(batch);
    }

    void onReceived(final Address sender, final long nowNs)
    {
        if (sender != null && !sender.equals(local_addr))
        {
            lastHeardNs = nowNs;
        }
    }

    /** Milliseconds from the last message another node sent us to nowNs, or -1 when none ever arrived. */
    long millisSinceHeard(final long nowNs)
    {
        final long heardNs = lastHeardNs;
        return heardNs == NEVER ? -1 : Math.max(0, (nowNs - heardNs) / 1_000_000);
    }
}
