package io.understudy.admin.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jgroups.Address;
import org.jgroups.View;

/**
 * Turns each JGroups view into a {@link MembershipView}, the peers it lost and gained since the previous one, and the
 * strangers that just appeared. Only members at a configured peer address count as the peer; nodes are compared by
 * address, not id, so a peer that restarted between two views shows as lost and joined. Not thread-safe: JGroups
 * delivers views one at a time.
 */
final class ViewTracker {
    /** A node missing from the new view, and why: "suspected" or "left". */
    record LostPeer(String peerId, String why) {}

    /** What one view changed; newStrangers are those not in the previous view (alarm once each). */
    record ViewChange(MembershipView view, List<LostPeer> lost, List<String> joined, List<String> newStrangers) {}

    private final Predicate<Address> isPeer;
    private final Function<Address, String> describe;
    private Map<Address, String> previousPeers = Map.of();
    private Set<Address> previousStrangers = Set.of();

    /**
     * @param isPeer   whether a member is the configured peer.
     * @param describe how a stranger is named in the view and the alarm ("id@address").
     */
    ViewTracker(final Predicate<Address> isPeer, final Function<Address, String> describe) {
        this.isPeer = isPeer;
        this.describe = describe;
    }

    /**
     * @param view         the view just installed.
     * @param self         this node's address.
     * @param wasSuspected whether failure detection excluded a node (else it left).
     * @param nowNs        when the view was installed.
     */
    ViewChange onView(final View view, final Address self, final Predicate<Address> wasSuspected, final long nowNs) {
        final List<String> ids = new ArrayList<>();
        final Map<Address, String> peers = new LinkedHashMap<>();
        final Set<Address> strangers = new HashSet<>();
        final List<String> strangerNames = new ArrayList<>();
        final List<String> newStrangers = new ArrayList<>();
        for (final Address member : view.getMembers()) {
            ids.add(idOf(member));
            if (member.equals(self)) {
                continue;
            }
            if (isPeer.test(member)) {
                peers.put(member, idOf(member));
                continue;
            }
            final String name = describe.apply(member);
            strangers.add(member);
            strangerNames.add(name);
            if (!previousStrangers.contains(member)) {
                newStrangers.add(name);
            }
        }

        final List<LostPeer> lost = lostPeers(peers, wasSuspected);
        final List<String> joined = new ArrayList<>();
        for (final Map.Entry<Address, String> peer : peers.entrySet()) {
            if (!previousPeers.containsKey(peer.getKey())) {
                joined.add(peer.getValue());
            }
        }
        previousPeers = peers;
        previousStrangers = strangers;

        final MembershipView membershipView = new MembershipView(
                view.getViewId().toString(), ids, idOf(view.getCoord()), !peers.isEmpty(), nowNs, strangerNames);
        return new ViewChange(membershipView, List.copyOf(lost), List.copyOf(joined), List.copyOf(newStrangers));
    }

    private List<LostPeer> lostPeers(final Map<Address, String> peers, final Predicate<Address> wasSuspected) {
        final List<LostPeer> lost = new ArrayList<>();
        for (final Map.Entry<Address, String> previous : previousPeers.entrySet()) {
            if (!peers.containsKey(previous.getKey())) {
                final String why = wasSuspected.test(previous.getKey()) ? "suspected" : "left";
                lost.add(new LostPeer(previous.getValue(), why));
            }
        }
        return lost;
    }

    /** A node's id is its channel name, which JGroups keeps in its name cache and prints for the address. */
    static String idOf(final Address address) {
        return address == null ? "" : address.toString();
    }
}
