package io.understudy.admin.api;

import java.util.List;

/**
 * A primary that found it had been superseded (another node serves at a higher epoch) and gave up: what it saw and
 * which connections it gave up silently (the other node serves them, if its replicas had them).
 *
 * @param at              when the demotion finished (ISO-8601, UTC).
 * @param reason          what told this node it was superseded.
 * @param epoch           this node's epoch when it was primary.
 * @param peerEpoch       the highest epoch its peer had announced.
 * @param givenUp         how many relayed connections this node gave up.
 * @param clients         their clients (address:port), the first 100.
 * @param error           what went wrong while giving up, or null.
 */
public record DemotionReport(
        String at, String reason, long epoch, long peerEpoch, int givenUp, List<String> clients, String error) {}
