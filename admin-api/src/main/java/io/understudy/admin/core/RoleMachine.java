package io.understudy.admin.core;

import io.understudy.logger.UnderstudyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's role as a state machine, with the pair's epoch. Every change of role goes through {@link #transition},
 * which checks the change is allowed, records why, and moves the epoch past both this node's and the highest the
 * peer announced (as Raft's terms: a node that becomes primary always holds an epoch above anything its peer had
 * said), persisted on disk before the change is visible. Of two nodes that both think they are primary, the one with
 * the lower epoch yields ({@link #yieldsTo}).
 *
 * <pre>
 * STARTING -> PRIMARY | BACKUP
 * BACKUP -> TAKING_OVER -> PRIMARY          (or back to BACKUP when the takeover fails or is refused)
 * PRIMARY -> HANDING_OVER -> BACKUP         (a drill, the app failing, a demotion; back to PRIMARY on a roll back)
 * any -> STOPPED
 * </pre>
 */
public final class RoleMachine {
    private static final Logger LOG = LoggerFactory.getLogger(RoleMachine.class);
    static final String FILE = "role-epoch";
    private static final int HISTORY = 20;

    /** Where the node is. */
    public enum State {
        STARTING,
        BACKUP,
        TAKING_OVER,
        PRIMARY,
        HANDING_OVER,
        STOPPED;

        /** The side of the pair this state is on: PRIMARY while it holds (or gives up) the service. */
        public Role side() {
            return this == PRIMARY || this == HANDING_OVER ? Role.PRIMARY : Role.BACKUP;
        }
    }

    /** One change of role. */
    public record Transition(State from, State to, long epoch, String reason, String at) {}

    private static final Map<State, EnumSet<State>> ALLOWED = Map.of(
            State.STARTING, EnumSet.of(State.PRIMARY, State.BACKUP, State.STOPPED),
            State.BACKUP, EnumSet.of(State.TAKING_OVER, State.STOPPED),
            State.TAKING_OVER, EnumSet.of(State.PRIMARY, State.BACKUP, State.STOPPED),
            State.PRIMARY, EnumSet.of(State.HANDING_OVER, State.STOPPED),
            State.HANDING_OVER, EnumSet.of(State.BACKUP, State.PRIMARY, State.STOPPED),
            State.STOPPED, EnumSet.noneOf(State.class));

    private final String nodeId;
    private final Path file;
    private final Deque<Transition> history = new ArrayDeque<>();
    private volatile State state = State.STARTING;
    private volatile long epoch;
    private volatile long peerEpoch;

    private RoleMachine(final String nodeId, final Path file, final long epoch) {
        this.nodeId = nodeId;
        this.file = file;
        this.epoch = epoch;
    }

    /**
     * Opens the machine in STARTING, with the epoch kept in {@code directory} (0 when there is none yet).
     *
     * @throws UnderstudyException when the directory cannot be made or the file cannot be read: a node that does not
     *                             know its epoch could yield to nobody, or be yielded to wrongly.
     */
    public static RoleMachine open(final String nodeId, final Path directory) {
        final Path file = directory.resolve(FILE);
        try {
            Files.createDirectories(directory);
            long epoch = 0;
            if (Files.exists(file)) {
                final Properties saved = new Properties();
                try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    saved.load(in);
                }
                final String value = saved.getProperty("epoch", "").strip();
                try {
                    epoch = Long.parseLong(value);
                } catch (final NumberFormatException ex) {
                    throw new IOException("epoch='" + value + "' is not a number", ex);
                }
                if (epoch < 0) {
                    throw new IOException("epoch=" + epoch + " is negative");
                }
                LOG.info(
                        "[{}] epoch {} from {} (last {} at {}: {})",
                        nodeId,
                        epoch,
                        file,
                        saved.getProperty("state", "?"),
                        saved.getProperty("at", "?"),
                        saved.getProperty("reason", "?"));
            }
            return new RoleMachine(nodeId, file, epoch);
        } catch (final IOException ex) {
            throw new UnderstudyException(
                    "nodeId=" + nodeId + ", cannot use the role state file " + file + ": " + ex.getMessage()
                            + " (fix or delete it; node.stateDirectory sets where it lives)",
                    ex);
        }
    }

    /**
     * Changes the role, with a new epoch above this node's and the peer's, written to disk first.
     *
     * @return the new epoch.
     * @throws IllegalStateException when the change is not allowed from the current state (nothing changes).
     * @throws UnderstudyException   when the epoch cannot be written (nothing changes).
     */
    public synchronized long transition(final State to, final String reason) {
        final State from = state;
        if (!ALLOWED.get(from).contains(to)) {
            throw new IllegalStateException(
                    "nodeId=" + nodeId + ": no role change from " + from + " to " + to + " (" + reason + ")");
        }
        final long next = Math.max(epoch, peerEpoch) + 1;
        final String at = Instant.now().toString();
        persist(next, to, reason, at);
        epoch = next;
        state = to;
        history.addLast(new Transition(from, to, next, reason, at));
        while (history.size() > HISTORY) {
            history.removeFirst();
        }
        LOG.warn("[{}] role {} -> {} (epoch {}): {}", nodeId, from, to, next, reason);
        return next;
    }

    private void persist(final long next, final State to, final String reason, final String at) {
        final Path temporary = file.resolveSibling(FILE + ".tmp");
        final String text = "# Understudy node " + nodeId + ": the role's epoch; a node starts above it\n" + "epoch="
                + next + "\nstate=" + to + "\nat=" + at + "\nreason=" + reason.replace('\n', ' ') + "\n";
        try (var channel = java.nio.channels.FileChannel.open(
                temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        } catch (final IOException ex) {
            throw new UnderstudyException(
                    "nodeId=" + nodeId + ", cannot write " + temporary + ": " + ex.getMessage(), ex);
        }
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (final IOException ex) {
            throw new UnderstudyException("nodeId=" + nodeId + ", cannot replace " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** The peer announced its epoch: remembered, so this node's next epoch is above it. */
    public void peerAnnounced(final long announced) {
        synchronized (this) {
            if (announced > peerEpoch) {
                peerEpoch = announced;
            }
        }
    }

    /**
     * Whether this node, primary at {@link #epoch()}, must yield to a peer that says it is primary at
     * {@code peerEpochNow}: the lower epoch yields; on a tie (two nodes started as primary with the same epoch) the
     * node whose id sorts first yields.
     */
    public boolean yieldsTo(final long peerEpochNow, final String peerId) {
        return peerEpochNow > epoch || peerEpochNow == epoch && nodeId.compareTo(peerId) < 0;
    }

    public State state() {
        return state;
    }

    /** The side: PRIMARY while this node holds or is giving up the service, BACKUP otherwise. */
    public Role side() {
        return state.side();
    }

    public long epoch() {
        return epoch;
    }

    /** The highest epoch the peer announced. */
    public long peerEpoch() {
        return peerEpoch;
    }

    /** The last changes, oldest first. */
    public synchronized List<Transition> history() {
        return new ArrayList<>(history);
    }
}
