package io.understudy.backup.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.backup.capture.DecodeResult;
import io.understudy.backup.capture.FrameDecoder;
import io.understudy.backup.track.Frames;
import io.understudy.backup.track.LoggedConnection;
import io.understudy.backup.track.TcpSegment;
import io.understudy.backup.track.TcpTracker;
import io.understudy.backup.track.TrackedConnection;
import io.understudy.backup.track.TrackerConfig;
import io.understudy.backup.track.TrackerCounters;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The replica's gate while this node's app is brought in step with the primary's (replica.syncCommand): connections
 * opened meanwhile are not protected, and say why; connections opened after it are followed by a replica again.
 */
class ReplicaInStepTest {
    private final FrameDecoder decoder = new FrameDecoder(FrameDecoder.LINKTYPE_ETHERNET, true);
    private final TcpSegment segment = new TcpSegment();
    private long nowNs = 1_000_000_000L;

    @Test
    void shouldLeaveConnectionsOpenedWhileNotInStepUnprotectedAndProtectThoseOpenedAfter() throws IOException {
        try (ServerSocket app = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ReplicaManager replicas = replicasOf(app)) {
            final TcpTracker tracker = trackerFeeding(replicas);
            replicas.notInStep("this node's app is being brought in step");

            handshake(tracker, 40001);
            final TrackedConnection during = only(tracker, 40001);
            assertThat(during.isProtected()).isFalse();
            assertThat(during.unprotectedReason)
                    .isEqualTo("opened while this node's app is being brought in step: its replica would answer "
                            + "from state the primary's app does not have");
            assertThat(replicas.replica(during.id)).isNull();
            assertThat(replicas.notInStep()).isEqualTo("this node's app is being brought in step");

            replicas.notInStep(null);
            handshake(tracker, 40002);
            final TrackedConnection after = only(tracker, 40002);
            assertThat(after.isProtected()).as(after.unprotectedReason).isTrue();
            assertThat(replicas.replica(after.id))
                    .as("a replica connection to the app")
                    .isNotNull();
            try (Socket accepted = app.accept()) {
                assertThat(accepted.isConnected()).isTrue();
            }
            assertThat(during.isProtected())
                    .as("still not: its start was before the app was in step")
                    .isFalse();
        }
    }

    @Test
    void shouldNameThePrimarysIdByThePortTheAppSeesOnlyOnceTheReadLogMatchedTheConnection() throws Exception {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        // An app whose accept queue two connections fill (backlog 1): the replica's SYN goes unanswered until it
        // accepts them. Its port must be known before: the app may name it as soon as it accepts.
        try (ServerSocket app = new ServerSocket(0, 1, loopback);
                ReplicaManager replicas = replicasOf(app);
                Socket queued = new Socket(loopback, app.getLocalPort());
                Socket queuedToo = new Socket(loopback, app.getLocalPort())) {
            final TcpTracker tracker = trackerFeeding(replicas);
            handshake(tracker, 40003);
            final TrackedConnection connection = only(tracker, 40003);
            final int replicaPort = replicas.replica(connection.id).appSidePort;
            assertThat(replicaPort)
                    .as("the replica socket's port, its connect pending")
                    .isPositive();
            assertThat(replicas.primaryIdOfAppSidePort(replicaPort))
                    .as("the replica's port is known, the read log has not named the connection yet")
                    .isEqualTo(-1);
            app.accept().close();
            app.accept().close();
            try (Socket accepted = app.accept()) {
                final int seenByApp = accepted.getPort();
                assertThat(seenByApp).isEqualTo(replicaPort);
                assertThat(replicas.primaryIdOfAppSidePort(app.getLocalPort()))
                        .as("no replica socket has the app's own port")
                        .isZero();

                connection.logged = new LoggedConnection(
                        0x7f00_0000_0000_0042L,
                        connection.key,
                        new io.understudy.logger.PrimaryOpened(
                                0x7f00_0000_0000_0042L,
                                1,
                                1,
                                Frames.CLIENT,
                                40003,
                                Frames.SERVER,
                                Frames.SERVICE_PORT));
                assertThat(replicas.primaryIdOfAppSidePort(seenByApp)).isEqualTo(0x7f00_0000_0000_0042L);

                replicas.onClosed(connection, nowNs);
                assertThat(replicas.primaryIdOfAppSidePort(seenByApp))
                        .as("forgotten with its replica")
                        .isZero();
            }
        }
    }

    /** Hot replicas of connections to {@code app}, exact output. */
    private static ReplicaManager replicasOf(final ServerSocket app) throws IOException {
        return new ReplicaManager(
                "test",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), app.getLocalPort()),
                new ReplicaCounters(),
                false,
                DivergencePolicy.EXACT);
    }

    /** A tracker of the service port whose connections {@code replicas} follow. */
    private static TcpTracker trackerFeeding(final ReplicaManager replicas) {
        final TcpTracker tracker = new TcpTracker(
                "test", TrackerConfig.defaults(Set.of(Frames.SERVICE_PORT)), replicas, new TrackerCounters(), true);
        replicas.attach(tracker.inbox());
        return tracker;
    }

    private void handshake(final TcpTracker tracker, final int clientPort) {
        for (final Frames frames : Frames.handshake(1000, 5000)) {
            final byte[] frame = frames.clientPort(clientPort).build();
            assertThat(decoder.decode(frame, frame.length, frame.length, segment))
                    .isEqualTo(DecodeResult.TCP);
            nowNs += 1_000_000;
            tracker.onSegment(segment, nowNs);
        }
    }

    private static TrackedConnection only(final TcpTracker tracker, final int clientPort) {
        TrackedConnection found = null;
        for (final TrackedConnection connection : tracker.connections()) {
            if (connection.key.clientPort() == clientPort) {
                assertThat(found).isNull();
                found = connection;
            }
        }
        assertThat(found).as("connection from port " + clientPort).isNotNull();
        return found;
    }
}
