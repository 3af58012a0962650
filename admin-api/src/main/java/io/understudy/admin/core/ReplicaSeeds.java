package io.understudy.admin.core;

import io.understudy.admin.api.MovedInput;
import io.understudy.backup.track.ReplicaSeed;
import io.understudy.primary.ClientSocketState;
import io.understudy.primary.MovedConnection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins what the old primary kept of each connection at a planned handover (its kernel's view, its app's side) with
 * what the new primary reported of it (where its restored socket starts, the client bytes it took beyond the old
 * primary's acks) into the seeds of this node's replicas. A connection the new primary did not restore, or whose
 * client bytes between the two are not all known, is not followed: its app connection is closed, and it is logged.
 */
final class ReplicaSeeds {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaSeeds.class);

    private ReplicaSeeds() {}

    static List<ReplicaSeed> of(
            final String nodeId, final List<MovedConnection> moved, final List<MovedInput> handback) {
        final Map<String, MovedInput> restored = new HashMap<>();
        handback.forEach(input -> restored.put(input.client(), input));
        final List<ReplicaSeed> seeds = new ArrayList<>();
        for (final MovedConnection connection : moved) {
            final MovedInput input = restored.get(MovedInput.client(connection.client()));
            final String refused = refusal(connection, input);
            if (refused != null) {
                LOG.warn("[{}] {} is not followed by this node's app: {}", nodeId, connection.client(), refused);
                closeQuietly(connection);
                continue;
            }
            seeds.add(seed(connection, input));
        }
        return seeds;
    }

    /** Why the two views of one connection cannot make a replica; null when they can. */
    static String refusal(final MovedConnection connection, final MovedInput input) {
        if (input == null) {
            return "the new primary did not restore it";
        }
        final long end = connection.clientEnd();
        if (input.takenFrom() < 0) {
            return "the new primary no longer had the client bytes it took beyond this node's acks";
        }
        if (input.clientOffset() < end
                || input.takenFrom() > end
                || input.clientOffset() - input.takenFrom() != input.taken().length) {
            return "the client stream does not join: this node had bytes up to " + end + ", the new primary took "
                    + input.takenFrom() + ".." + input.clientOffset();
        }
        return null;
    }

    static ReplicaSeed seed(final MovedConnection connection, final MovedInput input) {
        final ClientSocketState socket = connection.socket();
        final byte[] beyond = Arrays.copyOfRange(
                input.taken(), (int) (connection.clientEnd() - input.takenFrom()), input.taken().length);
        final byte[] clientBytes =
                Arrays.copyOf(connection.clientInput(), connection.clientInput().length + beyond.length);
        System.arraycopy(beyond, 0, clientBytes, connection.clientInput().length, beyond.length);
        return new ReplicaSeed(
                connection.client(),
                connection.service(),
                connection.clientSequenceBase(),
                connection.serverSequenceBase(),
                socket.mss(),
                socket.clientWindowScale(),
                socket.serverWindowScale(),
                socket.sackPermitted(),
                socket.timestamps(),
                socket.timestamp(),
                socket.clientWindow(),
                socket.serverWindow(),
                connection.clientInputFrom(),
                clientBytes,
                connection.serverAcked(),
                socket.unacked(),
                connection.serverPending(),
                connection.app());
    }

    private static void closeQuietly(final MovedConnection connection) {
        try {
            connection.app().close();
        } catch (final java.io.IOException ignored) {
            // the app's side of a connection not followed: nothing more to release
        }
    }
}
