package io.understudy.admin.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.admin.api.FailoverReport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the primary knows of its peer around a handover: whether the peer is ready to take the service (in the
 * heartbeat view, a tapping backup with a live app), and, when the handover's answer was an error, whether the peer
 * serves anyway and whether this node may take the address back. The rule is Pacemaker's: never two holders, so
 * without proof that the peer does not hold the address, the address stays released.
 */
final class PeerJudge {
    private static final Logger LOG = LoggerFactory.getLogger(PeerJudge.class);
    /** How long a drill waits for the peer to be back in the view before it is refused, by default. */
    static final long PEER_VIEW_WAIT_MS = 5_000;

    private final String nodeId;
    private final Supplier<PeerApi> api;
    private final BooleanSupplier peerPresent;
    private final Supplier<List<String>> members;
    private final Supplier<Optional<String>> otherHolder;
    private final long viewWaitMs;

    /**
     * @param api         the peer's admin API, with this node's token.
     * @param peerPresent whether the heartbeat view holds the peer now.
     * @param members     the view's members, for messages.
     * @param otherHolder the MAC of another host answering ARP for the service address now, if one does.
     * @param viewWaitMs  how long a drill waits for the peer to be back in the view.
     */
    PeerJudge(
            final String nodeId,
            final Supplier<PeerApi> api,
            final BooleanSupplier peerPresent,
            final Supplier<List<String>> members,
            final Supplier<Optional<String>> otherHolder,
            final long viewWaitMs) {
        this.viewWaitMs = viewWaitMs;
        this.nodeId = nodeId;
        this.api = api;
        this.peerPresent = peerPresent;
        this.members = members;
        this.otherHolder = otherHolder;
    }

    /**
     * After a handover whose answer was {@code failure}: the verdict on the peer. A request that never reached it is
     * judged at once; otherwise the peer's status is asked until it says, or until its budget (from {@code askedNs})
     * and two seconds have passed.
     */
    Verdict afterFailedHandover(final Throwable failure, final long askedNs, final long budgetMs)
            throws InterruptedException {
        return notDelivered(failure) ? undeliveredVerdict() : peerVerdict(askedNs, budgetMs);
    }

    /** The peer must be in the view and ready to serve; returns its id. */
    String checkReady(final PeerApi peer) throws InterruptedException {
        // A loaded host's heartbeat can miss a beat and merge back within MERGE3's interval: give it that long.
        final long viewDeadlineNs = System.nanoTime() + viewWaitMs * 1_000_000L;
        while (!peerPresent.getAsBoolean() && System.nanoTime() - viewDeadlineNs < 0) {
            Thread.sleep(100);
        }
        if (!peerPresent.getAsBoolean()) {
            throw new IllegalStateException(
                    "refusing the drill: the peer is not in the heartbeat view (" + members.get()
                            + ", waited " + viewWaitMs + " ms); a drill now could leave "
                            + "the service with no holder, or two");
        }
        final JsonNode status;
        try {
            status = peer.status(Duration.ofSeconds(2));
        } catch (final IOException ex) {
            throw new IllegalStateException(
                    "refusing the drill: the peer's status at " + peer.base() + " cannot be read: " + ex.getMessage());
        }
        final List<String> unready = new ArrayList<>();
        if (!"BACKUP".equals(status.path("state").asText(status.path("role").asText()))) {
            unready.add(
                    "it is " + status.path("state").asText(status.path("role").asText("?")));
        }
        if (status.path("tap").isMissingNode() || status.path("tap").isNull()) {
            unready.add("it taps nothing");
        }
        final JsonNode peerApp = status.path("appHealth");
        if (!peerApp.isMissingNode()
                && !peerApp.isNull()
                && (!peerApp.path("alive").asBoolean(true)
                        || peerApp.path("hung").asBoolean(false)
                        || !peerApp.path("failed").isNull()
                                && !peerApp.path("failed").isMissingNode())) {
            unready.add("its app is not healthy (" + peerApp + ")");
        }
        if (!unready.isEmpty()) {
            throw new IllegalStateException(
                    "refusing the drill: the peer is not ready to take over: " + String.join(", ", unready));
        }
        return status.path("nodeId").asText(peer.base().getHost());
    }

    /**
     * Whether the peer serves after a failed handover (with its report when its status could be read), and whether
     * this node may take the address back.
     */
    record Verdict(boolean peerServes, FailoverReport serves, boolean mayTakeBack, String why) {}

    /** The request never reached the peer (no connection): it cannot be taking over on its behalf. */
    static boolean notDelivered(final Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.ConnectException
                    || cause instanceof java.net.http.HttpConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The handover request was never delivered: the peer did not take over because of it, and while it hears this
     * node's heartbeat it does not take over on its own; the address is taken back at once if no other host answers
     * for it. Otherwise (the peer is out of the view) as after any failure.
     */
    private Verdict undeliveredVerdict() throws InterruptedException {
        if (!peerPresent.getAsBoolean()) {
            return peerVerdict(System.nanoTime(), 0);
        }
        final Optional<String> other = otherHolder.get();
        return other.isPresent()
                ? new Verdict(
                        true,
                        null,
                        false,
                        "the request did not reach the peer, but " + "another host (" + other.get()
                                + ") answers ARP for the address")
                : new Verdict(
                        false,
                        null,
                        true,
                        "the request did not reach the peer, which is in the heartbeat view, "
                                + "and no host answers ARP for the address");
    }

    private Verdict peerVerdict(final long askedNs, final long budgetMs) throws InterruptedException {
        final PeerApi peer = api.get();
        final long decideByNs = askedNs + (budgetMs + 2_000) * 1_000_000L;
        while (true) {
            final Optional<JsonNode> status = status();
            if (status.isPresent()) {
                final JsonNode s = status.get();
                final boolean holds = s.path("holdsServiceAddress").asBoolean(false);
                final String state = s.path("state").asText(s.path("role").asText());
                if ("PRIMARY".equals(s.path("role").asText())
                        && holds
                        && !s.path("lastFailover").isMissingNode()
                        && !s.path("lastFailover").isNull()) {
                    try {
                        return new Verdict(true, PeerApi.failoverReport(s.path("lastFailover")), false, "it serves");
                    } catch (final IOException ex) {
                        return new Verdict(true, null, false, "it serves, but its report is unreadable");
                    }
                }
                final JsonNode handover = s.path("handover");
                final boolean handingOver = !handover.isMissingNode() && !handover.isNull();
                if (!holds && "BACKUP".equals(state) && !handingOver) {
                    return new Verdict(false, null, true, "the peer is the backup and does not hold the address");
                }
                if (handingOver) {
                    // It accepted the request and has not answered yet: it may still claim the address. Wait.
                    LOG.warn(
                            "[{}] the peer is still carrying the handover out ({}): not taking the address back",
                            nodeId,
                            handover.asText());
                }
            }
            if (System.nanoTime() - decideByNs > 0) {
                if (status.isPresent()) {
                    final JsonNode handover = status.get().path("handover");
                    return new Verdict(
                            false,
                            null,
                            false,
                            "the peer is " + status.get().path("state").asText("?")
                                    + " and holds the address: "
                                    + status.get().path("holdsServiceAddress").asBoolean()
                                    + (handover.isMissingNode() || handover.isNull()
                                            ? ""
                                            : "; it still carries a handover out (" + handover.asText() + ")"));
                }
                // The pair has two nodes: another MAC answering for the address, with this one released, is the peer.
                final Optional<String> other = otherHolder.get();
                return other.isPresent()
                        ? new Verdict(
                                true,
                                null,
                                false,
                                "the peer's status cannot be read, " + "but another host (" + other.get()
                                        + ") answers ARP for the address: the peer took over")
                        : new Verdict(
                                false,
                                null,
                                true,
                                "the peer's status cannot be read, its budget ran out and no "
                                        + "host answers ARP for the address");
            }
            LOG.warn("[{}] the peer ({}) has not said whether it serves; asking again", nodeId, peer.base());
            Thread.sleep(500);
        }
    }

    Optional<JsonNode> status() {
        try {
            return Optional.of(api.get().status(Duration.ofSeconds(2)));
        } catch (final IOException ex) {
            return Optional.empty();
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
