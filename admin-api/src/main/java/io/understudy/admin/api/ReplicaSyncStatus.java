package io.understudy.admin.api;

/**
 * Where a backup's {@code replica.syncCommand} stands: until its app is in step with the primary's, the connections
 * opened are not protected.
 *
 * @param inStep     the app is in step: connections opened since are protected.
 * @param state      SYNCING (a run under way), FAILED (the last run failed; another follows) or IN_STEP.
 * @param attempts   runs started so far.
 * @param since      when the state began (ISO-8601).
 * @param lastError  why the last failed run failed (its exit status and the end of its output); null when none did.
 * @param tookMs     how long the run that succeeded took; -1 before one has.
 */
public record ReplicaSyncStatus(
        boolean inStep, String state, int attempts, String since, String lastError, long tookMs) {
    public static final String SYNCING = "SYNCING";
    public static final String FAILED = "FAILED";
    public static final String IN_STEP = "IN_STEP";
}
