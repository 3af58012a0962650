package io.understudy.admin.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What the last takeover did, as this node (the new primary) saw it.
 *
 * @param at           when the takeover finished (ISO-8601, UTC).
 * @param trigger      why the node took over (heartbeat lost, probe failed, tap quiet).
 * @param detectionMs  from the last heartbeat heard from the primary to the decision to take over.
 * @param takeoverMs   from the decision until every restored connection was handed to the relay.
 * @param restoreMs    of which restoring the sockets (replicas caught up, TCP_REPAIR).
 * @param restored     connections that continue on this node.
 * @param notRestored  connections not restored, each with the reason (they get a RST on their next segment).
 * @param divergences  connections whose replica had diverged from the primary before the takeover.
 * @param mode         "hot" (replicas kept in step) or "replay" (replicas started and replayed at takeover).
 * @param fence        what was done to the old primary before the claim ("fenced in 84 ms", "not fenced: handed over").
 * @param claim        how the service address was added here and how long it took ("by netlink in 0 ms", "by the
 *                     command in 27 ms"); null when the takeover did not get that far or predates this field.
 * @param epoch        this node's epoch as the new primary.
 * @param handback     per restored connection, what the old primary needs to follow it as a replica; only in the
 *                     answer to a planned handover (POST /drills/takeover), null everywhere else.
 */
public record FailoverReport(
        String at,
        String trigger,
        long detectionMs,
        long takeoverMs,
        long restoreMs,
        int restored,
        Map<String, String> notRestored,
        long divergences,
        String mode,
        String fence,
        String claim,
        long epoch,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<MovedInput> handback) {
    /** The same report with {@code moved} as its handback (null: none). */
    public FailoverReport withHandback(final List<MovedInput> moved) {
        return new FailoverReport(
                at,
                trigger,
                detectionMs,
                takeoverMs,
                restoreMs,
                restored,
                notRestored,
                divergences,
                mode,
                fence,
                claim,
                epoch,
                moved);
    }
}
