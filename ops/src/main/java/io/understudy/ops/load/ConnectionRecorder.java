package io.understudy.ops.load;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Tallies what one load connection sees: the verdict and latency of every reply, the first bad one, the longest stall
 * and why the connection stopped. Times are arguments, so the arithmetic is tested without a clock.
 */
final class ConnectionRecorder {
    /** Replies that took at least this long are kept as stalls, for the drill's picture (--stall-log). */
    static final long STALL_RECORD_NS = 50_000_000L;
    /** Stall kinds in {@link ConnectionResult#stalls()}. */
    static final long SLOW_REPLY = 0;

    static final long STOPPED = 1;
    private static final int MAX_STALLS = 10_000;

    private final int index;
    private int localPort;
    private final long intervalNs;
    private final long[] verdictCounts = new long[Verdict.values().length];
    private long resets;
    private long[] latenciesNs = new long[1024];
    private int replies;
    private long lastReplyNs;
    private long maxStallNs;
    private String failure;
    private String firstBadReply;
    /** Stalls as triples: start (nanoTime), length (ns), kind. */
    private long[] stalls = new long[24];

    private int stallValues;

    ConnectionRecorder(final int index, final long intervalNs) {
        this.index = index;
        this.intervalNs = intervalNs;
    }

    void onReply(final long sendNs, final long replyNs, final Verdict verdict) {
        final long latencyNs = replyNs - sendNs;
        maxStallNs = Math.max(maxStallNs, latencyNs);
        if (replies > 0) {
            // Between two replies the connection is expected to idle one interval; anything beyond is a stall.
            maxStallNs = Math.max(maxStallNs, replyNs - lastReplyNs - intervalNs);
        }
        if (replies == latenciesNs.length) {
            latenciesNs = Arrays.copyOf(latenciesNs, replies * 2);
        }
        latenciesNs[replies++] = latencyNs;
        if (latencyNs >= STALL_RECORD_NS) {
            addStall(sendNs, latencyNs, SLOW_REPLY);
        }
        lastReplyNs = replyNs;
        verdictCounts[verdict.ordinal()]++;
    }

    /**
     * Keeps what an error or corrupted reply was, when it is the connection's first, to name it in the summary.
     *
     * @return true when it was the first
     */
    boolean onBadReply(final String description) {
        if (firstBadReply != null) {
            return false;
        }
        firstBadReply = description;
        return true;
    }

    /**
     * Records the failure that stopped the connection (it does not reconnect) at {@code nowNs}; the time since its
     * last reply ({@code sinceNs} when it had none) is kept as a stall of kind {@link #STOPPED}.
     */
    void onFailure(final IOException ex, final long sinceNs, final long nowNs) {
        final long fromNs = replies > 0 ? lastReplyNs : sinceNs;
        addStall(fromNs, Math.max(0, nowNs - fromNs), STOPPED);
        onFailure(ex);
    }

    private void addStall(final long startNs, final long lengthNs, final long kind) {
        if (stallValues / 3 >= MAX_STALLS) {
            return;
        }
        if (stallValues + 3 > stalls.length) {
            stalls = Arrays.copyOf(stalls, stalls.length * 2);
        }
        stalls[stallValues++] = startNs;
        stalls[stallValues++] = lengthNs;
        stalls[stallValues++] = kind;
    }

    /** Records the failure that stopped the connection (it does not reconnect). */
    void onFailure(final IOException ex) {
        if (ex instanceof ReplyReader.UnframeableReplyException) {
            verdictCounts[Verdict.CORRUPTED.ordinal()]++;
        } else if (isReset(ex)) {
            resets++;
        } else {
            verdictCounts[Verdict.ERROR.ordinal()]++;
        }
        failure = ex.toString();
    }

    /** A connection ended by a TCP RST fails with one of these messages, depending on whether it read or wrote. */
    static boolean isReset(final IOException ex) {
        final String message = ex.getMessage();
        if (message == null) {
            return false;
        }
        final String lower = message.toLowerCase(Locale.ROOT);
        return lower.contains("connection reset") || lower.contains("broken pipe");
    }

    /** The connection is up, from {@code port} on the client's side. */
    void onConnected(final int port) {
        localPort = port;
    }

    ConnectionResult result() {
        return new ConnectionResult(
                index,
                replies,
                verdictCounts[Verdict.SKIPPED.ordinal()],
                verdictCounts[Verdict.REPEATED.ordinal()],
                verdictCounts[Verdict.CORRUPTED.ordinal()],
                verdictCounts[Verdict.ERROR.ordinal()],
                resets,
                maxStallNs,
                Arrays.copyOf(latenciesNs, replies),
                failure,
                Arrays.copyOf(stalls, stallValues),
                localPort,
                firstBadReply);
    }
}
