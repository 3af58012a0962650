package io.understudy.admin.health;

import com.codahale.metrics.health.HealthCheck;
import io.understudy.admin.cluster.MembershipView;
import io.understudy.admin.core.Node;
import io.understudy.admin.core.NodeSettings;
import io.understudy.admin.core.Role;
import java.util.List;

/**
 * "heartbeat": the peer is in the view and was heard within node.membership.failureTimeoutMs (after that JGroups
 * suspects it), and no stranger is in the view. Every node expects a peer (node.membership.peers names both); the one
 * exception is a primary that took over and runs alone, which is healthy and says so ("no peer").
 */
public final class HeartbeatHealthCheck extends HealthCheck {
    private final Node node;

    public HeartbeatHealthCheck(final Node node) {
        this.node = node;
    }

    @Override
    protected Result check() {
        final NodeSettings settings = node.settings();
        final long limitMs = settings.getMembership().getFailureTimeoutMs();
        final long ageMs = node.heartbeatAgeMs();
        final boolean inView = node.view().map(MembershipView::peerPresent).orElse(false);
        final List<String> members = node.view().map(MembershipView::members).orElse(List.of());
        final List<String> strangers =
                node.view().map(MembershipView::strangers).orElse(List.of());
        if (!strangers.isEmpty()) {
            return Result.unhealthy("stranger(s) " + strangers + " in the heartbeat view " + members
                    + ": only the configured peer (" + String.join(", ", otherPeers(settings)) + ") may be there");
        }
        if (inView && ageMs >= 0 && ageMs <= limitMs) {
            return Result.healthy("peer heard " + ageMs + " ms ago; view " + members);
        }
        if (!inView && node.role() == Role.PRIMARY && node.lastFailover().isPresent()) {
            return Result.healthy(
                    "no peer: took over at " + node.lastFailover().get().at()
                            + " and runs alone; connections are unprotected until a backup joins");
        }
        if (ageMs < 0) {
            return Result.unhealthy(
                    "the peer (" + String.join(", ", otherPeers(settings)) + ") has not been heard since start");
        }
        return Result.unhealthy("peer last heard " + ageMs + " ms ago (limit " + limitMs + " ms); view " + members);
    }

    /** node.membership.peers without this node's own entry. */
    private static List<String> otherPeers(final NodeSettings settings) {
        final String self =
                settings.getLanAddress() + ":" + settings.getMembership().getBindPort();
        return settings.getMembership().getPeers().stream()
                .filter(peer -> !peer.equals(self) && !peer.equals(settings.getLanAddress()))
                .toList();
    }
}
