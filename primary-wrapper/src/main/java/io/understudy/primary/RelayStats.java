package io.understudy.primary;

/**
 * A snapshot of the relay's counters, for the admin API and tests.
 *
 * @param connectionsAccepted client connections accepted since start.
 * @param connectionsOpen     client connections currently relayed.
 * @param bytesFromClients    bytes relayed client -> app.
 * @param bytesToClients      bytes relayed app -> client.
 * @param resetsFromClients   connections a client reset (the wrapper reset the app side in turn).
 * @param resetsFromApp       connections the app reset (the wrapper reset the client in turn).
 * @param appConnectFailures  client connections reset because the app could not be reached.
 * @param errors              unexpected errors caught by the relay loop (each closed one connection).
 * @param appClosesHeld       app-side closes (FIN, RST, refused connect) held now while the node finds out whether
 *                            the app died (see {@link AppCloseGate}).
 * @param appClosesPassed     held app-side closes passed on to the client since start (the app was alive).
 * @param connectionsRefused  clients refused with a RST because the relay held its maximum of connections.
 * @param guardFailures       closes (FIN or RST to a client) that went out although the {@link CloseGuard} refused
 *                            them every time it was asked: the guard drops them, so their clients wait for their own
 *                            timeout.
 * @param closesHeldForGuard  closes held now because the close guard refused them, to be asked for again shortly.
 * @param leaseWaits          relay turns spent touching no socket because the {@link RelayLease} did not hold; the
 *                            relay asks again every millisecond, so about the milliseconds waited.
 */
public record RelayStats(
        long connectionsAccepted,
        long connectionsOpen,
        long bytesFromClients,
        long bytesToClients,
        long resetsFromClients,
        long resetsFromApp,
        long appConnectFailures,
        long errors,
        long appClosesHeld,
        long appClosesPassed,
        long connectionsRefused,
        long guardFailures,
        long closesHeldForGuard,
        long leaseWaits) {}
