package io.understudy.admin.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether the primary gave the address up itself (its API says HANDING_OVER or BACKUP and not holding it), asked as
 * soon as its heartbeat is lost, while the decider still probes, rather than after the decision: a crashed host's
 * API does not answer, and waiting out that timeout after deciding cost every host-crash takeover its length.
 * <p>
 * At the decision: an API that did not answer the early question is taken as unreachable (fence it). One that did
 * answer belongs to a live host, which may have begun a handover since, so it is asked again then; a live host
 * answers within the timeout.
 */
final class PeerReleaseCheck {
    /** The API's answer, or why there was none. */
    private record Answer(JsonNode status, String failure) {}

    private final Asker asker;
    private final Duration timeout;
    private final CompletableFuture<Answer> early;
    private final long startedNs = System.nanoTime();

    /** GET /status of the peer within a timeout. */
    @FunctionalInterface
    interface Asker {
        JsonNode status(Duration timeout) throws IOException, InterruptedException;
    }

    private PeerReleaseCheck(final Asker asker, final Duration timeout, final Executor executor) {
        this.asker = asker;
        this.timeout = timeout;
        this.early = CompletableFuture.supplyAsync(() -> ask(asker, timeout), executor);
    }

    /** Starts asking now, on {@code executor}. */
    static PeerReleaseCheck start(final Asker asker, final Duration timeout, final Executor executor) {
        return new PeerReleaseCheck(asker, timeout, executor);
    }

    /**
     * Why fencing the primary is not needed, or empty when it must be fenced (its API unreachable, or it says it
     * serves). Waits for the early question at most its timeout (plus a margin for a busy host).
     */
    Optional<String> released() throws InterruptedException {
        final Answer first;
        try {
            first = early.get(timeout.toMillis() + 200, TimeUnit.MILLISECONDS);
        } catch (final ExecutionException | TimeoutException ex) {
            return Optional.empty();
        }
        if (first.status() == null) {
            return Optional.empty();
        }
        return judge(ask(asker, timeout));
    }

    /** Waits for the early question's answer (or failure), at most its timeout plus a margin for a busy host. */
    void awaitEarly() throws InterruptedException {
        try {
            early.get(timeout.toMillis() + 200, TimeUnit.MILLISECONDS);
        } catch (final ExecutionException | TimeoutException ex) {
            // no answer: released() and answeredAsLivePrimary() say so
        }
    }

    /**
     * Whether a "live PRIMARY" answer still says the primary is alive at the decision: only when the question was
     * asked after its heartbeat was lost. The early probes ask once a probe fails while the heartbeat is merely late;
     * a primary that answered then and crashed a moment later is gone, and taking its old answer for a live host made
     * the backup wait 2 s for that host's own app check (a lab drill: detection 2,144 ms instead of about 140).
     */
    boolean liveAnswerCountsAfterLossAt(final long heartbeatLostNs) {
        return startedNs - heartbeatLostNs >= 0;
    }

    /** Whether the early question was asked at most {@code maxAgeNs} before {@code nowNs}. */
    boolean askedWithin(final long nowNs, final long maxAgeNs) {
        return nowNs - startedNs <= maxAgeNs;
    }

    /**
     * Whether the early question is answered and the API said PRIMARY: the host is alive and says it serves, so its
     * own app check is watching the app the backup's probe finds silent.
     */
    boolean answeredAsLivePrimary() {
        final Answer answer = early.getNow(null);
        return answer != null
                && answer.status() != null
                && "PRIMARY".equals(answer.status().path("state").asText());
    }

    /** The early question's outcome, for the log: "answered" or why not; "pending" until it is done. */
    String earlyOutcome() {
        final Answer answer = early.getNow(null);
        return answer == null ? "pending" : answer.status() != null ? "answered" : answer.failure();
    }

    private static Optional<String> judge(final Answer answer) {
        if (answer.status() == null) {
            return Optional.empty();
        }
        final String state = answer.status().path("state").asText("");
        if (("HANDING_OVER".equals(state) || "BACKUP".equals(state))
                && !answer.status().path("holdsServiceAddress").asBoolean(true)) {
            return Optional.of("the primary says it is " + state + " and does not hold the address");
        }
        return Optional.empty();
    }

    private static Answer ask(final Asker asker, final Duration timeout) {
        try {
            return new Answer(asker.status(timeout), null);
        } catch (final IOException ex) {
            return new Answer(null, "unreachable: " + ex);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return new Answer(null, "interrupted");
        }
    }
}
