package io.understudy.primary;

import java.net.InetSocketAddress;

/**
 * Lets the wrapper's own FINs and RSTs to a client through a guard that drops every other FIN or RST from the
 * service address: when the node dies on a live host, its kernel would close every client connection, and the guard
 * stops that so the backup can take them over (DESIGN.md, "Process crash on a live host").
 */
public interface CloseGuard
{
    /** No guard: every close goes out as it is. */
    CloseGuard NONE = client ->
    {
    };

    /** Called on the relay thread right before the wrapper sends a FIN or RST to {@code client}. Must not throw. */
    void authorize(InetSocketAddress client);
}
