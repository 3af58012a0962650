package io.understudy.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Waits, in tests, for the relay's counters to say what a test expects (they change on the relay thread). */
final class Relays
{
    private Relays()
    {
    }

    /** The relay's stats once {@code condition} holds; fails the test after 10 s, naming the last stats. */
    static RelayStats awaitStats(final PrimaryWrapper wrapper, final Predicate<RelayStats> condition)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        RelayStats stats = wrapper.stats();
        while (!condition.test(stats) && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(5);
            stats = wrapper.stats();
        }
        assertThat(condition.test(stats)).as("relay stats %s", stats).isTrue();
        return stats;
    }
}
