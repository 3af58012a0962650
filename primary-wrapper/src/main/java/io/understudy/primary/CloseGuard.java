package io.understudy.primary;

import java.net.InetSocketAddress;

/**
 * Lets the wrapper's own FINs and RSTs to a client through a guard that drops every other FIN or RST from the
 * service address: when the node dies on a live host, its kernel would close every client connection, and the guard
 * stops that so the backup can take them over (DESIGN.md, "Process crash on a live host").
 */
public interface CloseGuard {
    /** No guard: every close goes out as it is. */
    CloseGuard NONE = (client, service) -> true;

    /**
     * Called on the relay thread right before the wrapper sends a FIN or RST to {@code client} from {@code service}.
     * Must not throw and must not block: a relay that gets false tries again on a later turn, a few times, and then
     * closes anyway (that FIN or RST is then dropped and the client waits for its own timeout).
     *
     * @param client  the client's address and port (the remote end of the connection).
     * @param service the address and port the client reached (the local end: VIP and service port).
     * @return whether the guard now lets this connection's FIN or RST through.
     */
    boolean authorize(InetSocketAddress client, InetSocketAddress service);
}
