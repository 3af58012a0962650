package io.understudy.backup.capture;

import java.util.HashMap;
import java.util.Map;

/**
 * Lets a conflict through at most once per interval per MAC: a host that answers every ARP request for the VIP
 * would otherwise call the watch's listener for each. Time is an argument, so it is tested with a hand-moved clock.
 * Remembers at most {@link #MAX_MACS} MACs, so a flood of forged senders cannot grow it without end.
 */
final class ConflictThrottle {
    public static final int MAX_MACS = 256;

    private final long intervalNs;
    private final Map<String, Long> lastReportNs = new HashMap<>();

    public ConflictThrottle(final long intervalNs) {
        if (intervalNs <= 0) {
            throw new IllegalArgumentException("throttle interval must be positive: intervalNs=" + intervalNs);
        }
        this.intervalNs = intervalNs;
    }

    /** True when {@code mac} was not let through in the interval before {@code nowNs}; then it is, at {@code nowNs}. */
    public boolean tryReport(final String mac, final long nowNs) {
        final Long last = lastReportNs.get(mac);
        if (last != null && nowNs - last < intervalNs) {
            return false;
        }
        if (last == null && lastReportNs.size() >= MAX_MACS) {
            lastReportNs.values().removeIf(reportedNs -> nowNs - reportedNs >= intervalNs);
            if (lastReportNs.size() >= MAX_MACS) {
                lastReportNs.clear(); // all within one interval: a flood; reporting a few twice is the lesser harm
            }
        }
        lastReportNs.put(mac, nowNs);
        return true;
    }

    /** MACs it remembers now; for tests of its bound. */
    public int remembered() {
        return lastReportNs.size();
    }
}
