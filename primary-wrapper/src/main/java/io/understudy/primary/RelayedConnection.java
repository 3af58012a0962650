package io.understudy.primary;

/**
 * One connection the primary relays, for the admin API: a snapshot taken on the relay thread.
 *
 * @param client         client address:port.
 * @param bytesIn        client bytes read (the client stream's offset).
 * @param bytesToApp     of which written to the app.
 * @param bytesOut       app bytes read.
 * @param bytesToClient  of which written to the client.
 * @param heldBytes      app bytes held for the output commit (waiting for the logger's ack).
 * @param loggedAs       the connection's id in the read log, 0 when not logged (no log).
 * @param adopted        taken over from another node (restored with TCP_REPAIR), not accepted here.
 * @param appBlockedMs   how long client bytes have waited for an app that accepts none of them; 0 when none wait.
 * @param appCloseHeldMs how long an app-side close of this connection has been held; 0 when none is.
 * @param appPort        the port of the relay's socket to the app (the app sees it as its peer); 0 when it has none.
 */
public record RelayedConnection(
        String client,
        long bytesIn,
        long bytesToApp,
        long bytesOut,
        long bytesToClient,
        long heldBytes,
        long loggedAs,
        boolean adopted,
        long appBlockedMs,
        long appCloseHeldMs,
        int appPort) {}
