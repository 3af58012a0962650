package io.understudy.admin.api;

/**
 * What a failover drill did, as the node that ran it (the old primary) saw it.
 *
 * @param id         the drill's id (its start time in milliseconds).
 * @param mode       "planned" (handover: the backup is told to take over at once) or "crash" (the primary goes
 *                   silent and the backup has to notice, as after a real crash).
 * @param from       the node that was primary.
 * @param to         the node that is primary now (the backup), or null when the drill failed before.
 * @param startedAt  when the drill started (ISO-8601, UTC).
 * @param finishedAt when it finished.
 * @param outcome    "ok": the backup serves and this node is its backup; "failed": see error (the service stayed
 *                   here when the backup could not take it).
 * @param error      why it failed, null when it did not.
 * @param failover   the new primary's failover report (restored connections, those not restored and why, timings).
 */
public record DrillReport(
        String id,
        String mode,
        String from,
        String to,
        String startedAt,
        String finishedAt,
        String outcome,
        String error,
        FailoverReport failover) {}
