package io.understudy.admin.cluster;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.stack.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pass-through layer just above VERIFY_SUSPECT2 that sees each confirmed suspicion on its way to GMS, logs it, and
 * remembers it until the view that excludes the suspect, so that view can say "suspected" rather than "left".
 */
final class SuspicionTracker extends Protocol {
    private static final Logger LOG = LoggerFactory.getLogger(SuspicionTracker.class);

    private final String nodeId;
    private final long failureTimeoutMs;
    private final Set<Address> suspected = ConcurrentHashMap.newKeySet();

    SuspicionTracker(final String nodeId, final long failureTimeoutMs) {
        this.nodeId = nodeId;
        this.failureTimeoutMs = failureTimeoutMs;
    }

    @Override
    public Object up(final Event evt) {
        if (evt.getType() == Event.SUSPECT) {
            onSuspected(addresses(evt.getArg()));
        } else if (evt.getType() == Event.UNSUSPECT) {
            onUnsuspected(evt.getArg());
        }
        return up_prot.up(evt);
    }

    void onSuspected(final Collection<Address> suspects) {
        for (final Address suspect : suspects) {
            if (suspected.add(suspect)) {
                LOG.warn(
                        "[{}] suspecting {}: no heartbeat for {} ms or its failure-detection socket closed, "
                                + "and it did not answer the verification; excluding it",
                        nodeId,
                        suspect,
                        failureTimeoutMs);
            }
        }
    }

    void onUnsuspected(final Address member) {
        if (member != null && suspected.remove(member)) {
            LOG.info("[{}] no longer suspecting {}: heard from it again", nodeId, member);
        }
    }

    boolean wasSuspected(final Address member) {
        return suspected.contains(member);
    }

    /** Forgets suspicions about nodes no longer in the view: the view that excluded them has been reported. */
    void retainOnly(final Collection<Address> members) {
        suspected.retainAll(members);
    }

    @SuppressWarnings("unchecked")
    private static Collection<Address> addresses(final Object arg) {
        if (arg instanceof Address address) {
            return List.of(address);
        }
        return arg instanceof Collection<?> collection ? (Collection<Address>) collection : List.of();
    }
}
