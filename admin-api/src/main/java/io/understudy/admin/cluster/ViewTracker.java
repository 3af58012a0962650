package io.understudy.admin.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.jgroups.Address;
import org.jgroups.View;

/**
 * Turns each JGroups view into a {@link MembershipView} and the nodes it lost and gained since the previous one.
 * Nodes are compared by address, not id, so a peer that restarted between two views (same id, new address) shows as
 * lost and joined. Not thread-safe: JGroups delivers views one at a time.
 */
final class ViewTracker
{
    /** A node missing from the new view, and why: "suspected" or "left". */
    record LostPeer(String peerId, String why)
    {
    }

    /** What one view changed. */
    record ViewChange(MembershipView view, List<LostPeer> lost, List<String> joined)
    {
    }

    private Map<Address, String> previousIds = Map.of();

    /**
     * @param view         the view just installed.
     * @param self         this node's address.
     * @param wasSuspected whether failure detection excluded a node (else it left).
     * @param nowNs        when the view was installed.
     */
    ViewChange onView(final View view, final Address self, final Predicate<Address> wasSuspected, final long nowNs)
    {
        final Map<Address, String> ids = new LinkedHashMap<>();
        boolean peerPresent = false;
        for (final Address member : view.getMembers())
        {
            ids.put(member, idOf(member));
            peerPresent |= !member.equals(self);
        }

        final List<LostPeer> lost = new ArrayList<>();
        for (final Map.Entry<Address, String> previous : previousIds.entrySet())
        {
            if (!ids.containsKey(previous.getKey()) && !previous.getKey().equals(self))
            {
                final String why = wasSuspected.test(previous.getKey()) ? "suspected" : "left";
                lost.add(new LostPeer(previous.getValue(), why));
            }
        }
        final List<String> joined = new ArrayList<>();
        for (final Map.Entry<Address, String> member : ids.entrySet())
        {
            if (!previousIds.containsKey(member.getKey()) && !member.getKey().equals(self))
            {
                joined.add(member.getValue());
            }
        }
        previousIds = ids;

        final MembershipView membershipView = new MembershipView(
            view.getViewId().toString(), List.copyOf(ids.values()), idOf(view.getCoord()), peerPresent, nowNs);
        return new ViewChange(membershipView, List.copyOf(lost), List.copyOf(joined));
    }

    /** A node's id is its channel name, which JGroups keeps in its name cache and prints for the address. */
    private static String idOf(final Address address)
    {
        return address == null ? "" : address.toString();
    }
}
