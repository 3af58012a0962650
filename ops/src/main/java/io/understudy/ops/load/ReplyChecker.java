package io.understudy.ops.load;

/**
 * Checks the replies of one connection in order: each counter and each value (of the protocols that have them) must be
 * exactly the previous one plus one. After a fault it re-bases on what it received, so one lost or doubled request is
 * counted once, not on every later reply.
 */
final class ReplyChecker {
    /** Starts at 0 so the first reply must carry counter 1. */
    private long lastCounter;
    /**
     * False until the first value, which is the base whatever it is (the key may exist from an earlier run), unless
     * the connection set its key first ({@link #onKeySet}).
     */
    private boolean hasLastValue;

    private long lastValue;

    /** The connection set its key to value before its first request (memcached): the first reply must be one more. */
    void onKeySet(final long value) {
        hasLastValue = true;
        lastValue = value;
    }

    Verdict check(final ParsedReply reply) {
        return switch (reply.kind()) {
            case VALUE -> checkValue(reply);
            case COUNTER -> checkCounter(reply.counter());
            case ERROR -> onError(reply);
            case CORRUPT -> onCorrupt();
        };
    }

    private Verdict checkValue(final ParsedReply reply) {
        Verdict verdict = Verdict.OK;
        if (reply.counter() != ParsedReply.NO_COUNTER) {
            verdict = checkCounter(reply.counter());
        }
        if (hasLastValue) {
            verdict = worse(verdict, compare(reply.value(), lastValue));
        }
        hasLastValue = true;
        lastValue = reply.value();
        return verdict;
    }

    private Verdict checkCounter(final long counter) {
        final Verdict verdict = compare(counter, lastCounter);
        lastCounter = counter;
        return verdict;
    }

    private Verdict onError(final ParsedReply reply) {
        // A failed INCR changed no value; its counter still numbers the request. An error reply without a counter
        // (an HTTP error page) still answered one request the server counted: expect the one after it next.
        lastCounter = reply.counter() != ParsedReply.NO_COUNTER ? reply.counter() : lastCounter + 1;
        return Verdict.ERROR;
    }

    private Verdict onCorrupt() {
        // The damaged reply most likely answered a request that was applied: expect the one after it next.
        lastCounter++;
        lastValue++;
        return Verdict.CORRUPTED;
    }

    private static Verdict compare(final long received, final long previous) {
        if (received <= previous) {
            return Verdict.REPEATED;
        }
        return received == previous + 1 ? Verdict.OK : Verdict.SKIPPED;
    }

    private static Verdict worse(final Verdict first, final Verdict second) {
        if (first == Verdict.REPEATED || second == Verdict.REPEATED) {
            return Verdict.REPEATED;
        }
        return first == Verdict.SKIPPED || second == Verdict.SKIPPED ? Verdict.SKIPPED : Verdict.OK;
    }
}
