package io.understudy.ops.load;

/**
 * What one load connection saw from start to end.
 *
 * @param latenciesNs the latency of every reply, in arrival order
 * @param maxStallNs the longest wait for a reply, or the longest gap between two replies beyond the interval
 * @param failure why the connection stopped early, or null when it ran to the end
 * @param stalls replies that took {@link ConnectionRecorder#STALL_RECORD_NS} or more, and the wait before a failure,
 *     as triples: start (System.nanoTime()), length in ns, kind ({@link ConnectionRecorder#SLOW_REPLY} or
 *     {@link ConnectionRecorder#STOPPED})
 * @param localPort the connection's own (client) port, 0 when it never connected
 * @param firstBadReply what the connection's first error or corrupted reply was (the reply quoted), or null when it
 *     had none
 */
record ConnectionResult(
        int index,
        long replies,
        long skipped,
        long repeated,
        long corrupted,
        long errors,
        long resets,
        long maxStallNs,
        long[] latenciesNs,
        String failure,
        long[] stalls,
        int localPort,
        String firstBadReply) {

    /** @return true when the connection got replies and every one of them was right */
    boolean isOk() {
        return replies > 0 && skipped == 0 && repeated == 0 && corrupted == 0 && errors == 0 && resets == 0;
    }

    /** @return one line saying what went wrong, for the summary */
    String describeProblem() {
        final StringBuilder problem = new StringBuilder("connection ")
                .append(index)
                .append(localPort > 0 ? " (local port " + localPort + ")" : "")
                .append(": ")
                .append(replies)
                .append(" replies, skipped=")
                .append(skipped)
                .append(" repeated=")
                .append(repeated)
                .append(" corrupted=")
                .append(corrupted)
                .append(" errors=")
                .append(errors)
                .append(" resets=")
                .append(resets);
        if (firstBadReply != null) {
            problem.append(", first bad reply: ").append(firstBadReply);
        }
        if (failure != null) {
            problem.append(", stopped: ").append(failure);
        }
        return problem.toString();
    }
}
