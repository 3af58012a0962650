package io.understudy.backup.takeover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.backup.repair.RepairPrivileges;
import io.understudy.backup.replica.DivergencePolicy;
import io.understudy.backup.replica.ReplicaCounters;
import io.understudy.backup.replica.ReplicaManager;
import io.understudy.backup.track.Frames;
import io.understudy.backup.track.TcpTracker;
import io.understudy.backup.track.TrackedConnection;
import io.understudy.backup.track.TrackerConfig;
import io.understudy.backup.track.TrackerCounters;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The takeover as a state machine on a hand-moved clock: one tapped connection (hand-built frames: "GET a\n" from the
 * client, "reply\n" from the primary, both acked), its hot replica a real socket to an app on 127.0.0.1 that this
 * test plays, answering or not. Deadlines are judged by the clock the turns are given, not by the wall clock.
 */
@Timeout(30)
class TakeoverTest {
    private static final long CLIENT_ISN = 1000;
    private static final long SERVER_ISN = 5000;
    private static final long CATCH_UP_TIMEOUT_MS = 500;

    private final List<SocketChannel> appSide = new ArrayList<>();
    private ServerSocketChannel app;
    private ReplicaManager replicas;
    private TcpTracker tracker;
    private long nowNs = 1_000_000_000L;
    private int stepsRun;

    @BeforeEach
    void setUp() throws IOException {
        app = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        replicas = new ReplicaManager(
                "test",
                (InetSocketAddress) app.getLocalAddress(),
                new ReplicaCounters(),
                false,
                DivergencePolicy.EXACT);
        tracker = new TcpTracker(
                "test", TrackerConfig.defaults(Set.of(Frames.SERVICE_PORT)), replicas, new TrackerCounters(), false);
        replicas.attach(tracker.inbox());
        Frames.handshake(CLIENT_ISN, SERVER_ISN).forEach(this::feed);
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).payload(bytes("GET a\n")));
        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 7).payload(bytes("reply\n")));
        feed(Frames.fromClient().seq(CLIENT_ISN + 7).ack(SERVER_ISN + 7));
        appSide.add(app.accept());
    }

    @AfterEach
    void tearDown() throws IOException {
        replicas.close();
        for (final SocketChannel channel : appSide) {
            channel.close();
        }
        app.close();
    }

    @Test
    void shouldGiveUpAReplicaThatHasNotCaughtUpWhenTheClockPassesTheDeadline() throws Exception {
        final Takeover takeover = takeover(() -> stepsRun++);
        takeover.doWork(nowNs);
        assertThat(takeover.state()).isEqualTo(Takeover.State.CATCH_UP);

        takeover.doWork(nowNs + 1_000_000);
        takeover.doWork(nowNs + (CATCH_UP_TIMEOUT_MS - 1) * 1_000_000);
        assertThat(takeover.state())
                .as("the app never answers, but the deadline is not passed yet")
                .isEqualTo(Takeover.State.CATCH_UP);

        takeover.doWork(nowNs + (CATCH_UP_TIMEOUT_MS + 1) * 1_000_000);
        assertThat(takeover.state()).isEqualTo(Takeover.State.PREPARE);
        final TakeoverReport report = finish(takeover, nowNs + CATCH_UP_TIMEOUT_MS * 2_000_000);

        assertThat(report.restored()).isEmpty();
        assertThat(report.notRestored().values())
                .singleElement()
                .satisfies(reason -> assertThat(reason)
                        .isEqualTo("the replica did not catch up in time: fed 6 of 6 client bytes, produced 0 of 6 "
                                + "server bytes"));
        assertThat(stepsRun).as("the claim runs even with nothing to restore").isEqualTo(1);
        assertThat(report.restoreMs()).as("by the turns' clock").isEqualTo(CATCH_UP_TIMEOUT_MS * 2);
    }

    @Test
    void shouldGiveUpAReplicaThatProducesNothingForTheStallWindowBeforeTheDeadline() throws Exception {
        final Takeover takeover = new Takeover("test", tracker, replicas, null, 60_000, () -> stepsRun++);
        takeover.doWork(nowNs);
        takeover.doWork(nowNs + 1_000_000); // fed every client byte: the stall window starts
        takeover.doWork(nowNs + 1_400_000_000L);
        assertThat(takeover.state()).isEqualTo(Takeover.State.CATCH_UP);

        takeover.doWork(nowNs + 1_502_000_000L);
        final TakeoverReport report = finish(takeover, nowNs + 1_600_000_000L);

        assertThat(report.notRestored().values())
                .singleElement()
                .satisfies(reason -> assertThat(reason)
                        .startsWith("the replica was given every client byte the primary had (6) and produced 0 of "
                                + "the 6 server bytes the client has seen, nothing more in 1500 ms"));
        assertThat(report.restoreMs()).as("a minute's deadline not waited for").isEqualTo(1_600);
    }

    @Test
    void shouldReleaseNothingAndCloseWhatItBuiltWhenTheClaimFails() throws Exception {
        RepairPrivileges.require();
        appSide.get(0).write(ByteBuffer.wrap(bytes("reply\n")));
        final Takeover takeover = takeover(() -> {
            stepsRun++;
            throw new IOException("the address is held by 02:00:00:00:00:09");
        });
        final long[] clock = {nowNs};
        for (int turn = 0; turn < 5_000 && takeover.state().compareTo(Takeover.State.PREPARE) < 0; turn++) {
            if (takeover.doWork(clock[0] += 1_000_000) == 0) {
                Thread.sleep(1); // the replica's answer crosses loopback
            }
        }
        assertThat(takeover.state()).as("the replica caught up").isEqualTo(Takeover.State.PREPARE);
        assertThat(takeover.doWork(clock[0]))
                .as("one socket built in repair mode")
                .isEqualTo(1);
        takeover.doWork(clock[0]);
        assertThat(takeover.state()).isEqualTo(Takeover.State.CLAIM);

        assertThatThrownBy(() -> takeover.doWork(clock[0])).hasMessageContaining("held by");
        assertThat(takeover.state()).isEqualTo(Takeover.State.FAILED);
        assertThat(takeover.report()).isNull();
        assertThat(takeover.doWork(clock[0]))
                .as("a failed takeover does nothing more")
                .isZero();
        assertThat(stepsRun).isEqualTo(1);
        assertThat(replicas.replica(only().id))
                .as("the replica stays here: nothing was handed to a relay")
                .isNotNull();
    }

    @Test
    void shouldRestoreEachOfAHundredConnectionsOnceWithItsOwnSocket() throws Exception {
        RepairPrivileges.require();
        final int more = 99; // with setUp's: 100, in one batch of the takeover's turns
        for (int i = 1; i <= more; i++) {
            final int port = Frames.CLIENT_PORT + i;
            Frames.handshake(CLIENT_ISN, SERVER_ISN).forEach(frames -> feed(frames.clientPort(port)));
            feed(Frames.fromClient()
                    .clientPort(port)
                    .seq(CLIENT_ISN + 1)
                    .ack(SERVER_ISN + 1)
                    .payload(bytes("GET a\n")));
            feed(Frames.fromServer()
                    .clientPort(port)
                    .seq(SERVER_ISN + 1)
                    .ack(CLIENT_ISN + 7)
                    .payload(bytes("reply\n")));
            feed(Frames.fromClient().clientPort(port).seq(CLIENT_ISN + 7).ack(SERVER_ISN + 7));
            appSide.add(app.accept());
        }
        for (final SocketChannel replica : appSide) {
            replica.write(ByteBuffer.wrap(bytes("reply\n")));
        }
        final Takeover takeover = takeover(() -> stepsRun++);
        for (int turn = 0; turn < 5_000 && takeover.state().compareTo(Takeover.State.PREPARE) < 0; turn++) {
            if (takeover.doWork(nowNs += 1_000_000) == 0) {
                Thread.sleep(1); // the replicas' answers cross loopback
            }
        }
        assertThat(takeover.state()).as("every replica caught up").isEqualTo(Takeover.State.PREPARE);
        assertThat(takeover.doWork(nowNs)).as("one batch of 100 sockets").isEqualTo(100);

        final TakeoverReport report = finish(takeover, nowNs);

        assertThat(report.notRestored()).isEmpty();
        assertThat(report.restored())
                .hasSize(100)
                .extracting(restored -> restored.clientAddress().getPort())
                .as("each connection restored once, its own socket")
                .doesNotHaveDuplicates()
                .allSatisfy(port -> assertThat(port).isBetween(Frames.CLIENT_PORT, Frames.CLIENT_PORT + more));
        for (final RestoredConnection restored : report.restored()) {
            restored.client().close();
        }
    }

    private Takeover takeover(final TakeoverStep step) {
        return new Takeover("test", tracker, replicas, null, CATCH_UP_TIMEOUT_MS, step);
    }

    /** Turns at {@code atNs} until the takeover is done (each phase ends on a turn of its own). */
    private static TakeoverReport finish(final Takeover takeover, final long atNs) throws Exception {
        for (int turn = 0; turn < 10 && takeover.state() != Takeover.State.DONE; turn++) {
            takeover.doWork(atNs);
        }
        assertThat(takeover.state()).isEqualTo(Takeover.State.DONE);
        return takeover.report();
    }

    private TrackedConnection only() {
        final List<TrackedConnection> all = new ArrayList<>();
        tracker.connections().forEach(all::add);
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    private void feed(final Frames frames) {
        nowNs += 1_000_000;
        frames.feedTo(tracker, nowNs);
    }

    private static byte[] bytes(final String text) {
        return Frames.ascii(text);
    }
}
