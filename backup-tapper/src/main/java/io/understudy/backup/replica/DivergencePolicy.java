package io.understudy.backup.replica;

/**
 * What the backup tolerates when its replica's output differs from the primary's.
 *
 * <p>{@link #EXACT}: the first differing byte ends the connection's protection. The only choice that is safe for any
 * app: a replica whose output differs has, as far as anyone can tell, a different state.
 *
 * <p>Same length: differing bytes are tolerated where the replica's output stays aligned with the primary's, as an
 * HTTP server's {@code Date:} header written a second apart. The streams are compared byte for byte as in exact mode;
 * the differing bytes group into differences (a difference ends once {@link #GAP_BYTES} equal bytes follow its last
 * differing byte), and a difference may span at most {@code maxDifferenceBytes} from its first differing byte to its
 * last. A longer one ends protection: replies of different lengths shift the rest of the stream, so nearly every
 * byte after the shift differs. The operator's choice, per app: a same-length difference that comes from a different
 * state (a counter "5" where the primary said "6") is tolerated too, so choose it only for an app whose state does
 * not show in its output this way (a static file server), never for a database or a counter.
 *
 * @param sameLength         tolerate same-length differences.
 * @param maxDifferenceBytes the longest tolerated difference, first to last differing byte; 0 in exact mode.
 */
public record DivergencePolicy(boolean sameLength, int maxDifferenceBytes) {
    /** Equal bytes that end a difference: closer differing bytes belong to the same one. */
    public static final int GAP_BYTES = 8;
    /** Exact: any differing byte ends protection. */
    public static final DivergencePolicy EXACT = new DivergencePolicy(false, 0);

    public DivergencePolicy {
        if (sameLength && (maxDifferenceBytes < 1 || maxDifferenceBytes > 4096)) {
            throw new IllegalArgumentException(
                    "maxDifferenceBytes must be 1..4096 with same-length, was " + maxDifferenceBytes);
        }
        if (!sameLength && maxDifferenceBytes != 0) {
            throw new IllegalArgumentException("maxDifferenceBytes is for same-length only, was " + maxDifferenceBytes);
        }
    }

    /** Same-length differences up to {@code maxDifferenceBytes} are tolerated. */
    public static DivergencePolicy sameLength(final int maxDifferenceBytes) {
        return new DivergencePolicy(true, maxDifferenceBytes);
    }

    /** "exact" or "same-length (N bytes at most)", for logs and status. */
    public String describe() {
        return sameLength ? "same-length (differences of " + maxDifferenceBytes + " bytes at most)" : "exact";
    }
}
