package io.understudy.primary;

/**
 * Whether this node may still relay. A primary that resumes after a pause (a stopped process, a frozen host) must not
 * move a byte once it can know that another node superseded it: the relay asks its lease on every turn before it
 * reads, writes, accepts or closes anything, and while the lease does not hold it touches no socket, as if frozen,
 * asking again every millisecond until the lease holds again.
 */
@FunctionalInterface
public interface RelayLease {
    /** No lease: the relay always relays, as it did before leases. */
    RelayLease ALWAYS = nowNs -> true;

    /**
     * Whether the relay may touch its sockets now. Asked on the relay thread every turn, and every millisecond while
     * it does not hold, so it must be cheap (a volatile read, a comparison with {@code nowNs}) and must never block.
     *
     * @param nowNs {@link System#nanoTime()} at the start of the relay's turn.
     */
    boolean holds(long nowNs);
}
