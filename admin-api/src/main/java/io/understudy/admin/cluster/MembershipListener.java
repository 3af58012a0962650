package io.understudy.admin.cluster;

/**
 * Told about the pair's membership as JGroups installs views. Every method is called on a JGroups thread, one view at
 * a time and in view order, after {@link Membership#view()} already shows the new view: implementations must not
 * block (hand long work, such as a takeover, to another thread) and should not throw (a throw is logged and
 * otherwise ignored).
 */
public interface MembershipListener {
    /** A new view was installed: a join, a leave, an exclusion or a merge. Called before the peer callbacks. */
    default void onViewChanged(final MembershipView view) {}

    /**
     * A view arrived without a node the previous view had.
     *
     * @param peerId the lost node's id.
     * @param why    "suspected" when failure detection excluded it (crash, hang, cut link), "left" when it left
     *               cleanly.
     */
    default void onPeerLost(final String peerId, final String why) {}

    /** A view arrived with a node the previous view did not have: it joined, or a healed partition merged. */
    default void onPeerJoined(final String peerId) {}

    /**
     * The configured peer announced its role and epoch (it does so every heartbeat interval and on every view
     * change, over the authenticated, encrypted channel). Strangers' announcements are never reported.
     *
     * @param peerId the peer's node id.
     * @param state  its role state, e.g. PRIMARY or BACKUP.
     * @param epoch  its epoch.
     */
    default void onPeerState(final String peerId, final String state, final long epoch) {}
}
