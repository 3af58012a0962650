package io.understudy.backup.replica;

/**
 * Compares one connection's replica output with the primary's, piece by piece as both arrive, under a
 * {@link DivergencePolicy}; in same-length mode it follows a difference across pieces and counts the tolerated ones.
 */
final class OutputComparator {
    private final DivergencePolicy policy;
    /** Server offset of the current difference's first differing byte; -1 when none is open. */
    private long differenceStart = -1;
    /** Server offset of its last differing byte. */
    private long differenceLast = -1;

    private long toleratedDifferences;
    private long differingBytes;

    public OutputComparator(final DivergencePolicy policy) {
        this.policy = policy;
    }

    /**
     * Compares {@code length} bytes of the primary's output with the replica's, both starting at server stream offset
     * {@code offset}; consecutive calls cover consecutive ranges.
     *
     * @return null when the bytes agree or differ as the policy tolerates; else why they do not.
     */
    public String compare(final long offset, final byte[] primary, final byte[] replica, final int length) {
        for (int i = 0; i < length; i++) {
            if (primary[i] == replica[i]) {
                continue;
            }
            final long at = offset + i;
            final String differs = "replica output differs from the primary's at server offset " + at + ": primary 0x"
                    + Integer.toHexString(primary[i] & 0xff) + ", replica 0x" + Integer.toHexString(replica[i] & 0xff);
            if (!policy.sameLength()) {
                return differs;
            }
            differingBytes++;
            if (differenceStart >= 0 && at - differenceLast <= DivergencePolicy.GAP_BYTES) {
                differenceLast = at;
                if (differenceLast - differenceStart + 1 > policy.maxDifferenceBytes()) {
                    return differs + ", the end of a difference over more than " + policy.maxDifferenceBytes()
                            + " bytes from offset "
                            + differenceStart + " (the output's lengths or the app's state differ, "
                            + "beyond what same-length tolerates)";
                }
            } else {
                differenceStart = at;
                differenceLast = at;
                toleratedDifferences++;
            }
        }
        return null;
    }

    /** Differences tolerated so far (same-length mode). */
    public long toleratedDifferences() {
        return toleratedDifferences;
    }

    /** Differing bytes tolerated so far (same-length mode). */
    public long differingBytes() {
        return differingBytes;
    }
}
