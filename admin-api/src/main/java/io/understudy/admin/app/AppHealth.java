package io.understudy.admin.app;

/**
 * What the app checks add up to: the streak of failed checks and whether it reached the threshold at which the app
 * counts as hung. Pure state with no threads and no clock of its own (time is an argument); not thread-safe, its owner
 * ({@link AppChecker}) guards it.
 */
public final class AppHealth {
    /** lastSuccessNs before the first successful check. */
    private static final long NEVER = Long.MIN_VALUE;

    private final int failuresToHang;
    private int failuresInRow;
    private AppCheck.Result lastResult;
    private long lastSuccessNs = NEVER;

    /** @param failuresInRow failed checks in a row at which the app counts as hung (at least 1). */
    public AppHealth(final int failuresInRow) {
        if (failuresInRow < 1) {
            throw new IllegalArgumentException("failuresInRow=" + failuresInRow + ", expected at least 1");
        }
        this.failuresToHang = failuresInRow;
    }

    /**
     * Takes one check's result. True exactly once per streak of failures: at the failure that reaches the
     * threshold. A success ends the streak.
     */
    public boolean onResult(final AppCheck.Result result, final long nowNs) {
        lastResult = result;
        if (result.healthy()) {
            failuresInRow = 0;
            lastSuccessNs = nowNs;
            return false;
        }
        failuresInRow++;
        return failuresInRow == failuresToHang;
    }

    /** Failed checks since the last success (or since the start). */
    public int failuresInRow() {
        return failuresInRow;
    }

    /** The latest result, null before the first check. */
    public AppCheck.Result lastResult() {
        return lastResult;
    }

    /** The threshold was reached and no check succeeded since. */
    public boolean isHung() {
        return failuresInRow >= failuresToHang;
    }

    /** When a check last succeeded, Long.MIN_VALUE before the first success. */
    public long lastSuccessNs() {
        return lastSuccessNs;
    }
}
