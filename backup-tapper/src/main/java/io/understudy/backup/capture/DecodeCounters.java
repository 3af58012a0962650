package io.understudy.backup.capture;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Frames seen, and frames skipped by reason. Written by the capture thread; read as a snapshot.
 */
public final class DecodeCounters {
    private final long[] byResult = new long[DecodeResult.values().length];
    private volatile long frames;

    public void onFrame(final DecodeResult result) {
        frames++;
        byResult[result.ordinal()]++;
    }

    public long frames() {
        return frames;
    }

    public long count(final DecodeResult result) {
        return byResult[result.ordinal()];
    }

    /** Skipped frames by reason, reasons with a zero count left out. */
    public Map<String, Long> skipped() {
        final Map<String, Long> skipped = new TreeMap<>();
        for (final DecodeResult result : DecodeResult.values()) {
            final long count = byResult[result.ordinal()];
            if (result != DecodeResult.TCP && count > 0) {
                skipped.put(result.name(), count);
            }
        }
        return skipped;
    }

    public EnumMap<DecodeResult, Long> snapshot() {
        final EnumMap<DecodeResult, Long> snapshot = new EnumMap<>(DecodeResult.class);
        for (final DecodeResult result : DecodeResult.values()) {
            snapshot.put(result, byResult[result.ordinal()]);
        }
        return snapshot;
    }
}
