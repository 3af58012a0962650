package io.understudy.admin.cluster;

import java.util.List;

/**
 * One installed view of the pair, as this node sees it: who is in, who coordinates, whether the configured peer is
 * here, and any stranger (a member that is neither this node nor the configured peer: an alarm).
 *
 * @param viewId       JGroups view id, e.g. "[a|3]" (coordinator and a counter that grows with each view).
 * @param members      node ids in view order; the first is the coordinator.
 * @param coordinator  node id of the view's coordinator.
 * @param peerPresent  true when the view holds the configured peer (a member at a configured peer address).
 * @param lastChangeNs System.nanoTime() when this node installed the view.
 * @param strangers    "id@a.b.c.d:port" of every other member, in view order; empty in a healthy pair.
 */
public record MembershipView(
        String viewId,
        List<String> members,
        String coordinator,
        boolean peerPresent,
        long lastChangeNs,
        List<String> strangers) {
    /** What a node shows before its first view: nobody, not even itself. */
    static final MembershipView NONE = new MembershipView("none", List.of(), "", false, 0, List.of());

    /** Copies the member and stranger lists. */
    public MembershipView {
        members = List.copyOf(members);
        strangers = List.copyOf(strangers);
    }
}
