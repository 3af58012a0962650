package io.understudy.admin.cluster;

import java.util.List;

/**
 * One installed view of the pair, as this node sees it: who is in, who coordinates, and whether the other node is
 * here.
 *
 * @param viewId       JGroups view id, e.g. "[a|3]" (coordinator and a counter that grows with each view).
 * @param members      node ids in view order; the first is the coordinator.
 * @param coordinator  node id of the view's coordinator.
 * @param peerPresent  true when the view holds a node other than this one.
 * @param lastChangeNs System.nanoTime() when this node installed the view.
 */
public record MembershipView(
    String viewId, List<String> members, String coordinator, boolean peerPresent, long lastChangeNs)
{
    /** What a node shows before its first view: nobody, not even itself. */
    static final MembershipView NONE = new MembershipView("none", List.of(), "", false, 0);

    /** Copies the member list. */
    public MembershipView
    {
        members = List.copyOf(members);
    }
}
