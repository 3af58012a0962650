package io.understudy.admin.api;

/**
 * What the primary did when its app failed: handed every connection to the backup's replica, or could not.
 *
 * @param at        when the app's failure was seen (ISO-8601, UTC).
 * @param kind      "crashed" (the process ended) or "hung" (the app check failed, or the relay saw it stop).
 * @param cause     e.g. "pid 4242 killed by signal 9 (SIGKILL)" or "app check failed 3 times in a row: ...".
 * @param outcome   "handed over" (the backup serves every connection) or "not handed over".
 * @param error     why not, when not; null otherwise.
 * @param handoverMs from the failure to the backup's report that it serves.
 * @param restart   what restarting the app here did, null when nothing was restarted.
 * @param failover  the backup's failover report, null when it did not take over.
 */
public record AppFailureReport(
        String at,
        String kind,
        String cause,
        String outcome,
        String error,
        long handoverMs,
        String restart,
        FailoverReport failover) {}
