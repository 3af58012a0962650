package io.understudy.admin.cluster;

import java.util.Objects;
import java.util.function.Predicate;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * A pass-through layer just above decryption (so only messages that proved the pair's key reach it) that notes when
 * anything last arrived from the configured peer: heartbeats, discovery, merge probes, data. That age is the
 * heartbeat age the admin API shows; FD_ALL3 keeps only bitmaps, not times. A stranger's messages never count.
 */
final class LastHeardTracker extends Protocol {
    private static final long NEVER = Long.MIN_VALUE;

    private final Predicate<Address> isPeer;
    private volatile Address lastPeer;
    private volatile long lastHeardNs = NEVER;

    /** @param isPeer whether a sender is the configured peer (not this node, not a stranger). */
    LastHeardTracker(final Predicate<Address> isPeer) {
        this.isPeer = Objects.requireNonNull(isPeer, "isPeer");
    }

    @Override
    public Object up(final Message msg) {
        onReceived(msg.getSrc(), System.nanoTime());
        return up_prot.up(msg);
    }

    @Override
    public void up(final MessageBatch batch) {
        onReceived(batch.sender(), System.nanoTime());
        up_prot.up(batch);
    }

    void onReceived(final Address sender, final long nowNs) {
        if (sender == null || sender.equals(local_addr)) {
            return;
        }
        if (sender.equals(lastPeer) || isPeer.test(sender)) {
            lastPeer = sender;
            lastHeardNs = nowNs;
        }
    }

    /** Milliseconds from the last message the peer sent us to nowNs, or -1 when none ever arrived. */
    long millisSinceHeard(final long nowNs) {
        final long heardNs = lastHeardNs;
        return heardNs == NEVER ? -1 : Math.max(0, (nowNs - heardNs) / 1_000_000);
    }
}
