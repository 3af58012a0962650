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
 */
public record RelayStats(
    long connectionsAccepted,
    long connectionsOpen,
    long bytesFromClients,
    long bytesToClients,
    long resetsFromClients,
    long resetsFromApp,
    long appConnectFailures,
    long errors)
{
}
