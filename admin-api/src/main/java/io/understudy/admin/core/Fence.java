package io.understudy.admin.core;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fencing before a takeover after a lost heartbeat (Pacemaker's rule: never two holders of the address, so cut the
 * other node off first). node.takeover.fenceCommand runs with its timeout; a failed fence means no takeover and an
 * alarm that stays until a fence succeeds. {@code fence: none} skips it, loudly.
 */
final class Fence {
    private static final Logger LOG = LoggerFactory.getLogger(Fence.class);

    /** The fence failed: nothing is claimed. */
    static final class FenceFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        FenceFailedException(final String message, final Throwable cause) {
            super(message, cause);
        }
    }

    private final String nodeId;
    private final TakeoverSettings takeover;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong fenced = new AtomicLong();
    private volatile String alarm;

    Fence(final String nodeId, final TakeoverSettings takeover) {
        this.nodeId = nodeId;
        this.takeover = takeover;
    }

    /**
     * Cuts the peer off, or says why it could not.
     *
     * @param why what the takeover is for, in the log.
     * @return what was done, for the failover report.
     * @throws FenceFailedException when the command failed or timed out: the caller must not claim the address.
     */
    String fencePeer(final String why) throws FenceFailedException {
        if (takeover.getFence() == TakeoverSettings.Fence.NONE) {
            LOG.warn("[{}] not fencing the other node (node.takeover.fence: none) before taking over: {}", nodeId, why);
            return "not fenced (fence: none)";
        }
        final long startNs = System.nanoTime();
        try {
            final String output =
                    Commands.run(takeover.getFenceCommand(), "fencing the other node", takeover.getFenceTimeoutMs());
            final long ms = (System.nanoTime() - startNs) / 1_000_000;
            fenced.incrementAndGet();
            alarm = null;
            LOG.warn(
                    "[{}] fenced the other node in {} ms: {}",
                    nodeId,
                    ms,
                    output.isBlank() ? "(no output)" : output.strip());
            return "fenced in " + ms + " ms";
        } catch (final IOException ex) {
            failures.incrementAndGet();
            alarm = Instant.now() + ": the fence failed, so this node did not take over (" + why + "): "
                    + ex.getMessage();
            LOG.error(
                    "[{}] ALARM: fencing the other node failed: NOT taking over, the service stays unserved "
                            + "until an operator acts (fence the other host, then POST /drills/takeover here): {}",
                    nodeId,
                    ex.getMessage());
            throw new FenceFailedException("the fence failed: " + ex.getMessage(), ex);
        }
    }

    /** The last fence failure, until a fence succeeds. */
    Optional<String> alarm() {
        return Optional.ofNullable(alarm);
    }

    long failures() {
        return failures.get();
    }

    long fenced() {
        return fenced.get();
    }
}
