package io.understudy.primary;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link CloseGuard} test double that refuses its first {@code failures} requests and records every one. */
final class FailingCloseGuard implements CloseGuard {
    /** Refuses every request. */
    static final int ALWAYS = Integer.MAX_VALUE;

    private final int failures;
    private final AtomicInteger calls = new AtomicInteger();
    private final List<String> asked = new CopyOnWriteArrayList<>();

    FailingCloseGuard(final int failures) {
        this.failures = failures;
    }

    @Override
    public boolean authorize(final InetSocketAddress client, final InetSocketAddress service) {
        asked.add(client.getPort() + " -> " + service.getPort());
        return calls.incrementAndGet() > failures;
    }

    /** Every request so far, as "client port -> service port". */
    List<String> asked() {
        return asked;
    }
}
