package io.understudy.primary;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters written by the relay thread and read by any thread.
 */
final class RelayCounters {
    final AtomicLong connectionsAccepted = new AtomicLong();
    final AtomicLong connectionsOpen = new AtomicLong();
    final AtomicLong bytesFromClients = new AtomicLong();
    final AtomicLong bytesToClients = new AtomicLong();
    final AtomicLong resetsFromClients = new AtomicLong();
    final AtomicLong resetsFromApp = new AtomicLong();
    final AtomicLong appConnectFailures = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong appClosesHeld = new AtomicLong();
    final AtomicLong appClosesPassed = new AtomicLong();
    final AtomicLong connectionsRefused = new AtomicLong();
    final AtomicLong guardFailures = new AtomicLong();
    final AtomicLong closesHeldForGuard = new AtomicLong();
    final AtomicLong leaseWaits = new AtomicLong();

    RelayStats snapshot() {
        return new RelayStats(
                connectionsAccepted.get(),
                connectionsOpen.get(),
                bytesFromClients.get(),
                bytesToClients.get(),
                resetsFromClients.get(),
                resetsFromApp.get(),
                appConnectFailures.get(),
                errors.get(),
                appClosesHeld.get(),
                appClosesPassed.get(),
                connectionsRefused.get(),
                guardFailures.get(),
                closesHeldForGuard.get(),
                leaseWaits.get());
    }
}
