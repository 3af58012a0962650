package io.understudy.ops.demo;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Connection counters of the demo service, updated as connections come and go and reported by STATS. */
final class ServerCounters {
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicLong acceptedConnections = new AtomicLong();
    private final AtomicLong resetConnections = new AtomicLong();

    /** @return the number of connections open after this one was accepted */
    int onAccepted() {
        acceptedConnections.incrementAndGet();
        return openConnections.incrementAndGet();
    }

    /** @return the number of connections still open */
    int onClosed(final boolean resetByPeer) {
        if (resetByPeer) {
            resetConnections.incrementAndGet();
        }
        return openConnections.decrementAndGet();
    }

    int openConnections() {
        return openConnections.get();
    }

    long resetConnections() {
        return resetConnections.get();
    }

    /** @return the STATS result: "connections=N accepted=N resets=N" */
    String describe() {
        return "connections=" + openConnections.get()
                + " accepted=" + acceptedConnections.get()
                + " resets=" + resetConnections.get();
    }
}
