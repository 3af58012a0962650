package io.understudy.primary;

/**
 * Decides what becomes of a close the app makes on a relayed connection (its FIN, its RST, a refused connect): pass it
 * on to the client, or hold it, because the app may have died and the node may hand the connection to the backup,
 * in which case the client must see nothing at all. Asked on the relay thread again and again while a close is held;
 * it must not block.
 */
@FunctionalInterface
public interface AppCloseGate {
    /** No app watch: every app close passes at once, as without Understudy. */
    AppCloseGate PASS = (sinceNs, nowNs) -> true;

    /**
     * Whether an app close the relay first saw at {@code sinceNs} may reach the client now.
     *
     * @return false to hold it a while longer (the relay asks again within a few milliseconds).
     */
    boolean mayPass(long sinceNs, long nowNs);
}
