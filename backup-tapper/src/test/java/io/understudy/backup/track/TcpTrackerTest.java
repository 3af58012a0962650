package io.understudy.backup.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.backup.capture.DecodeResult;
import io.understudy.backup.capture.FrameDecoder;
import io.understudy.backup.repair.RestoreSpec;
import io.understudy.backup.takeover.Takeover;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The tracker fed hand-built segments with a hand-moved clock.
 */
class TcpTrackerTest {
    private static final long CLIENT_ISN = 1000;
    private static final long SERVER_ISN = 5000;

    private final RecordingListener listener = new RecordingListener();
    private final TrackerCounters counters = new TrackerCounters();
    private TcpTracker tracker =
            new TcpTracker("test", TrackerConfig.defaults(Set.of(Frames.SERVICE_PORT)), listener, counters, true);
    private final FrameDecoder decoder = new FrameDecoder(FrameDecoder.LINKTYPE_ETHERNET, true);
    private final TcpSegment segment = new TcpSegment();
    private long nowNs = 1_000_000_000L;

    @Test
    void shouldReportHandshakeOptionsAndFinalSequencesWhenConnectionClosesBothWays() {
        handshake(CLIENT_ISN, SERVER_ISN);
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).payload("INCR a\n"));
        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 8).payload("1 1\n"));
        feed(Frames.fromClient().seq(CLIENT_ISN + 8).ack(SERVER_ISN + 5).flags(TcpSegment.FIN | TcpSegment.ACK));
        feed(Frames.fromServer().seq(SERVER_ISN + 5).ack(CLIENT_ISN + 9).flags(TcpSegment.FIN | TcpSegment.ACK));
        feed(Frames.fromClient().seq(CLIENT_ISN + 9).ack(SERVER_ISN + 6));

        final Map<String, Object> fields = onlySummary();
        assertThat(fields)
                .containsEntry("handshake_seen", true)
                .containsEntry("state", "CLOSED")
                .containsEntry("client_isn", CLIENT_ISN)
                .containsEntry("server_isn", SERVER_ISN)
                .containsEntry("client_next_seq", CLIENT_ISN + 9)
                .containsEntry("server_next_seq", SERVER_ISN + 6)
                .containsEntry("client_bytes", 7L)
                .containsEntry("server_bytes", 4L)
                .containsEntry("client_fin", true)
                .containsEntry("server_fin", true)
                .containsEntry("client_acked", SERVER_ISN + 6)
                .containsEntry("server_acked", CLIENT_ISN + 9)
                .containsEntry("mss", 1460)
                .containsEntry("client_wscale", 7)
                .containsEntry("server_wscale", 9)
                .containsEntry("sack_permitted", true)
                .containsEntry("timestamps", true);
        assertThat(listener.stream(true)).isEqualTo("INCR a\n");
        assertThat(listener.stream(false)).isEqualTo("1 1\n");
        assertThat(listener.closed).isEqualTo(1);
    }

    @Test
    void shouldFollowBothStreamsPastTwoToTheThirtyTwoWhenSequenceNumbersWrap() {
        final long clientIsn = 0xFFFFFFFAL;
        final long serverIsn = 0xFFFFFFFEL;
        handshake(clientIsn, serverIsn);
        feed(Frames.fromClient().seq(clientIsn + 1).ack(0xFFFFFFFFL).payload("0123456789"));
        feed(Frames.fromServer()
                .seq(0xFFFFFFFFL)
                .ack((clientIsn + 11) & 0xFFFFFFFFL)
                .payload("abcdefgh"));
        feed(Frames.fromClient().seq((clientIsn + 11) & 0xFFFFFFFFL).ack(7).payload("XY"));

        final Map<String, Object> fields = onlySummary();
        assertThat(fields)
                .containsEntry("client_next_seq", 7L)
                .containsEntry("server_next_seq", 7L)
                .containsEntry("client_bytes", 12L)
                .containsEntry("server_bytes", 8L);
        assertThat(listener.stream(true)).isEqualTo("0123456789XY");
        assertThat(listener.stream(false)).isEqualTo("abcdefgh");
    }

    @Test
    void shouldDeliverEachByteOnceWhenSegmentsAreRetransmittedOverlappingAndOutOfOrder() {
        handshake(CLIENT_ISN, SERVER_ISN);
        final long base = CLIENT_ISN + 1;
        feed(Frames.fromClient().seq(base + 10).ack(SERVER_ISN + 1).payload("KLMNO"));
        feed(Frames.fromClient().seq(base + 5).ack(SERVER_ISN + 1).payload("FGHIJKL"));
        assertThat(listener.stream(true)).isEmpty();
        feed(Frames.fromClient().seq(base).ack(SERVER_ISN + 1).payload("ABCDEFG"));
        feed(Frames.fromClient().seq(base).ack(SERVER_ISN + 1).payload("ABCDE"));
        feed(Frames.fromClient().seq(base + 13).ack(SERVER_ISN + 1).payload("NOPQ"));

        assertThat(listener.stream(true)).isEqualTo("ABCDEFGHIJKLMNOPQ");
        assertThat(onlySummary()).containsEntry("client_bytes", 17L).containsEntry("client_next_seq", base + 17);
        assertThat(counters.outOfOrderSegments).isEqualTo(2);
        assertThat(counters.retransmittedSegments).isEqualTo(1);
    }

    @Test
    void shouldChangeNothingWhenKeepaliveOrWindowProbeRepeatsTheByteBeforeNext() {
        handshake(CLIENT_ISN, SERVER_ISN);
        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 1).payload("data"));
        feed(Frames.fromServer().seq(SERVER_ISN + 4).ack(CLIENT_ISN + 1));
        feed(Frames.fromServer().seq(SERVER_ISN + 4).ack(CLIENT_ISN + 1).payload("a"));
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 5).window(0));

        assertThat(listener.stream(false)).isEqualTo("data");
        assertThat(onlySummary())
                .containsEntry("server_next_seq", SERVER_ISN + 5)
                .containsEntry("server_bytes", 4L);
        assertThat(connection().client.window)
                .as("zero window advertised by the client")
                .isZero();
    }

    @Test
    void shouldSayClientsWaitFromTheFirstUnackedClientBytesUntilTheServerAcksThemAll() {
        handshake(CLIENT_ISN, SERVER_ISN);
        assertThat(counters.clientWaitingSinceNs).as("nothing unacked").isZero();
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).payload("GET a\n"));
        final long firstRequestNs = nowNs;
        assertThat(counters.clientWaitingSinceNs).isEqualTo(firstRequestNs);

        feed(Frames.fromClient().seq(CLIENT_ISN + 7).ack(SERVER_ISN + 1).payload("GET b\n"));
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).payload("GET a\n"));
        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 1));
        assertThat(counters.clientWaitingSinceNs)
                .as("more bytes, a retransmission and a server segment acking nothing new keep the first moment")
                .isEqualTo(firstRequestNs);

        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 7));
        assertThat(counters.clientWaitingSinceNs)
                .as("progress, but GET b still waits: since this progress")
                .isEqualTo(nowNs);
        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 13).payload("a\n"));
        assertThat(counters.clientWaitingSinceNs).as("all acked").isZero();
        assertThat(counters.lastServerProgressNs).isEqualTo(nowNs);

        feed(Frames.fromClient().seq(CLIENT_ISN + 7).ack(SERVER_ISN + 3).payload("GET b\n"));
        assertThat(counters.clientWaitingSinceNs)
                .as("a retransmission of acked bytes waits on nothing")
                .isZero();
        feed(Frames.fromClient().seq(CLIENT_ISN + 13).ack(SERVER_ISN + 3).payload("GET c\n"));
        assertThat(counters.clientWaitingSinceNs).isEqualTo(nowNs);
        feed(Frames.fromClient().seq(CLIENT_ISN + 19).ack(SERVER_ISN + 3).flags(TcpSegment.RST));
        assertThat(counters.clientWaitingSinceNs)
                .as("a reset connection waits on nothing")
                .isZero();
    }

    @Test
    void shouldKeepClientsWaitingWhenTheServerProgressesOnAnotherConnectionThenStops() {
        tracker = new TcpTracker(
                "test", TrackerConfig.defaults(Set.of(Frames.SERVICE_PORT)), new TapListener() {}, counters, true);
        handshake(CLIENT_ISN, SERVER_ISN);
        Frames.handshake(CLIENT_ISN, SERVER_ISN).forEach(frame -> feed(frame.clientPort(40001)));
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).payload("GET a\n"));
        feed(Frames.fromClient()
                .clientPort(40001)
                .seq(CLIENT_ISN + 1)
                .ack(SERVER_ISN + 1)
                .payload("GET b\n"));
        feed(Frames.fromServer()
                .clientPort(40001)
                .seq(SERVER_ISN + 1)
                .ack(CLIENT_ISN + 7)
                .payload("b\n"));
        final long lastProgressNs = nowNs;
        assertThat(counters.clientWaitingSinceNs)
                .as("the server answered the second connection, then died with the first's request unacked")
                .isEqualTo(lastProgressNs);

        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).payload("GET a\n"));
        feed(Frames.fromClient().clientPort(40001).seq(CLIENT_ISN + 7).ack(SERVER_ISN + 3));
        assertThat(counters.clientWaitingSinceNs)
                .as("retransmissions and pure acks change nothing")
                .isEqualTo(lastProgressNs);
    }

    /**
     * A hot replica's connection: the tap keeps client bytes until both the server acked them and the replica was fed
     * them, and server bytes until both the client acked them and the replica's output was compared with them,
     * whichever comes last, without waiting for a later ack; unprotected, it keeps only what is unacked.
     */
    @Test
    void shouldRetainEachStreamUntilBothTheAckAndTheReplicaPassIt() {
        handshake(CLIENT_ISN, SERVER_ISN);
        final TrackedConnection connection = connection();
        connection.retainForReplica();
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).payload("GET a\n"));
        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 7).payload("a=1\n"));
        feed(Frames.fromClient().seq(CLIENT_ISN + 7).ack(SERVER_ISN + 5).payload("GET b\n"));
        assertThat(connection.client.buffer().startOffset())
                .as("acked by the server, not fed to the replica")
                .isZero();
        assertThat(connection.server.buffer().startOffset())
                .as("acked by the client, not compared")
                .isZero();

        connection.clientNeededFrom(4);
        assertThat(connection.client.buffer().startOffset())
                .as("fed 4 bytes: released at once")
                .isEqualTo(4);
        connection.clientNeededFrom(12);
        assertThat(connection.client.buffer().startOffset())
                .as("fed all: released up to the server's ack")
                .isEqualTo(6);
        assertThat(new String(connection.client.buffer().copy(6, 12), StandardCharsets.US_ASCII))
                .isEqualTo("GET b\n");
        connection.serverNeededFrom(4);
        assertThat(connection.server.buffer().startOffset()).isEqualTo(4);

        feed(Frames.fromServer().seq(SERVER_ISN + 5).ack(CLIENT_ISN + 13).payload("b=2\n"));
        assertThat(connection.client.buffer().startOffset())
                .as("the server's ack moves the release")
                .isEqualTo(12);
        assertThat(connection.server.buffer().startOffset())
                .as("not compared yet")
                .isEqualTo(4);

        connection.unprotect("test");
        assertThat(connection.server.buffer().startOffset())
                .as("unprotected: only the unacked bytes stay")
                .isEqualTo(4);
        feed(Frames.fromClient().seq(CLIENT_ISN + 13).ack(SERVER_ISN + 9));
        assertThat(connection.server.buffer().startOffset()).isEqualTo(8);
    }

    @Test
    void shouldTakeServerAcksAsTruthWhenTapSawBytesTheServerDidNot() {
        handshake(CLIENT_ISN, SERVER_ISN);
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).payload("first"));
        feed(Frames.fromClient().seq(CLIENT_ISN + 6).ack(SERVER_ISN + 1).payload("second"));
        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 6));

        final TrackedConnection connection = connection();
        assertThat(connection.client.nextOffset).as("bytes the tap saw").isEqualTo(11);
        assertThat(connection.client.ackedByPeer).as("bytes the server has").isEqualTo(5);
        assertThat(connection.client.buffer().startOffset()).isEqualTo(5);
        assertThat(new String(connection.client.buffer().copy(5, 11), StandardCharsets.US_ASCII))
                .isEqualTo("second");
        assertThat(listener.acks).containsExactly("client stream acked to 5");
    }

    @Test
    void shouldMarkResetWhenRstSeenAndStartANewConnectionOnTheNextSyn() {
        handshake(CLIENT_ISN, SERVER_ISN);
        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 1).flags(TcpSegment.RST | TcpSegment.ACK));
        handshake(CLIENT_ISN + 100_000, SERVER_ISN + 7);

        final List<ConnectionSummary> summaries = summaries();
        assertThat(summaries).hasSize(2);
        assertThat(summaries.get(0).fields()).containsEntry("state", "RESET");
        assertThat(summaries.get(1).fields())
                .containsEntry("state", "ESTABLISHED")
                .containsEntry("client_isn", CLIENT_ISN + 100_000);
        assertThat(counters.connectionsReset).isEqualTo(1);
    }

    @Test
    void shouldCloseWhenBothSidesSendFinAtOnce() {
        handshake(CLIENT_ISN, SERVER_ISN);
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).flags(TcpSegment.FIN | TcpSegment.ACK));
        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 1).flags(TcpSegment.FIN | TcpSegment.ACK));
        feed(Frames.fromClient().seq(CLIENT_ISN + 2).ack(SERVER_ISN + 2));
        feed(Frames.fromServer().seq(SERVER_ISN + 2).ack(CLIENT_ISN + 2));

        assertThat(onlySummary())
                .containsEntry("state", "CLOSED")
                .containsEntry("client_next_seq", CLIENT_ISN + 2)
                .containsEntry("server_next_seq", SERVER_ISN + 2)
                .containsEntry("client_acked", SERVER_ISN + 2)
                .containsEntry("server_acked", CLIENT_ISN + 2);
    }

    @Test
    void shouldTrackFromFirstByteSeenAndFlagUnknownOptionsWhenPickedUpMidStream() {
        feed(Frames.fromServer().seq(0x7FFFFFF0L).ack(42).payload("late"));
        feed(Frames.fromClient().seq(42).ack(0x7FFFFFF4L).payload("more"));

        final Map<String, Object> fields = onlySummary();
        assertThat(fields)
                .containsEntry("handshake_seen", false)
                .containsEntry("client_isn", null)
                .containsEntry("server_next_seq", 0x7FFFFFF4L)
                .containsEntry("client_next_seq", 46L)
                .containsEntry("server_bytes", 4L)
                .containsEntry("mss", null)
                .containsEntry("timestamps", null);
        assertThat(counters.connectionsMidStream).isEqualTo(1);
        assertThat(connection().isMidStream()).isTrue();
    }

    @Test
    void shouldPlaceBothStreamsRightWhenARestoredSocketsWindowProbesComeFirstAcrossTheWrap() {
        // What a socket leaving TCP_REPAIR sends first: an empty segment at snd_una - 1. The client's is at 2^32 - 1.
        feed(Frames.fromServer().seq(0xFFFFFC17L).ack(0));
        feed(Frames.fromClient().seq(0xFFFFFFFFL).ack(0xFFFFFC18L));
        feed(Frames.fromClient().seq(0).ack(0xFFFFFC18L).payload("INCR a\n"));
        feed(Frames.fromServer().seq(0xFFFFFC18L).ack(7).payload("1 1\n"));

        assertThat(listener.stream(true)).isEqualTo("INCR a\n");
        assertThat(listener.stream(false)).isEqualTo("1 1\n");
        assertThat(onlySummary())
                .containsEntry("client_next_seq", 7L)
                .containsEntry("server_next_seq", 0xFFFFFC1CL)
                .containsEntry("client_bytes", 7L)
                .containsEntry("server_bytes", 4L)
                .containsEntry("server_acked", 7L)
                .containsEntry("client_acked", 0xFFFFFC18L);
        assertThat(connection().client.hasHoles())
                .as("no hole waiting on the probe's byte")
                .isFalse();
    }

    @Test
    void shouldDeliverTheClientsBytesWhenItsKeepaliveIsTheFirstSegmentSeenAndNoAckPlacedItYet() {
        feed(Frames.fromClient().seq(41).ack(900));
        feed(Frames.fromClient().seq(42).ack(900).payload("GET /\n"));
        feed(Frames.fromServer().seq(899).ack(48));
        feed(Frames.fromServer().seq(900).ack(48).payload("ok\n"));

        assertThat(listener.stream(true)).isEqualTo("GET /\n");
        assertThat(listener.stream(false)).isEqualTo("ok\n");
        assertThat(onlySummary())
                .containsEntry("client_next_seq", 48L)
                .containsEntry("server_next_seq", 903L)
                .containsEntry("client_bytes", 6L)
                .containsEntry("server_bytes", 3L);
    }

    @Test
    void shouldStopRetainingAndCountItWhenStreamCapIsHit() {
        tracker = new TcpTracker(
                "test", new TrackerConfig(Set.of(Frames.SERVICE_PORT), 8, 1024, 16, 10, 0), listener, counters, true);
        handshake(CLIENT_ISN, SERVER_ISN);
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).payload("12345"));
        feed(Frames.fromClient().seq(CLIENT_ISN + 6).ack(SERVER_ISN + 1).payload("67890"));

        assertThat(connection().client.buffer().hasOverflowed()).isTrue();
        assertThat(counters.overflowedStreams).isEqualTo(1);
        assertThat(tracker.budget().usedBytes()).isZero();
        assertThat(onlySummary()).as("sequence tracking goes on").containsEntry("client_bytes", 10L);
    }

    @Test
    void shouldReleaseRetainedBytesWhenPeerAcksThem() {
        handshake(CLIENT_ISN, SERVER_ISN);
        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 1).payload("0123456789"));
        assertThat(tracker.budget().usedBytes()).isEqualTo(10);
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 8));
        assertThat(tracker.budget().usedBytes()).isEqualTo(3);
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 11));
        assertThat(tracker.budget().usedBytes()).isZero();
    }

    @Test
    void shouldForgetAConnectionPickedUpDuringItsCloseOnceItIsQuietForTheLingerTime() {
        tracker = lingeringFor5s();
        // The tap starts after the client's FIN: it sees the server's FIN and the client's last ACK, never both FINs.
        feed(Frames.fromServer().seq(5000).ack(901).flags(TcpSegment.FIN | TcpSegment.ACK));
        feed(Frames.fromClient().seq(901).ack(5001));
        assertThat(connection().isOpen())
                .as("both FINs unseen: open as far as the tap knows")
                .isTrue();

        assertThat(tracker.expire(nowNs + 4_000_000_000L)).isZero();
        assertThat(tracker.expire(nowNs + 5_000_000_000L)).isEqualTo(1);
        assertThat(connection().state).isEqualTo(ConnectionState.CLOSED);
        assertThat(counters.connectionsClosed).isEqualTo(1);
        assertThat(listener.closed).as("the listeners told, as of any close").isEqualTo(1);
        // Then it lingers as any closed connection does, and goes.
        assertThat(tracker.expire(nowNs + 10_000_000_000L)).isEqualTo(1);
        assertThat(tracker.connections()).isEmpty();
        assertThat(counters.connectionsTracked).isZero();
    }

    @Test
    void shouldKeepAQuietConnectionPickedUpMidStreamWithoutAFin() {
        tracker = lingeringFor5s();
        feed(Frames.fromServer().seq(5000).ack(901).payload("late"));
        feed(Frames.fromClient().seq(901).ack(5004));

        // An idle connection the tap met mid-stream may live for hours: it stays counted, unprotected.
        assertThat(tracker.expire(nowNs + 3_600_000_000_000L)).isZero();
        assertThat(connection().isOpen()).isTrue();
    }

    @Test
    void shouldKeepAConnectionPickedUpDuringItsCloseWhileSegmentsStillCome() {
        tracker = lingeringFor5s();
        feed(Frames.fromServer().seq(5000).ack(901).flags(TcpSegment.FIN | TcpSegment.ACK));
        nowNs += 4_000_000_000L;
        // Half-closed: the client still sends, which the server acks.
        feed(Frames.fromClient().seq(901).ack(5001).payload("more"));

        assertThat(tracker.expire(nowNs + 4_000_000_000L))
                .as("4 s after its last segment")
                .isZero();
        assertThat(tracker.expire(nowNs + 5_000_000_000L)).isEqualTo(1);
    }

    @Test
    void shouldDropClosedConnectionsAfterLingerTime() {
        tracker = lingeringFor5s();
        handshake(CLIENT_ISN, SERVER_ISN);
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).flags(TcpSegment.RST));

        assertThat(counters.connectionsTracked)
                .as("the count other threads read, while it lingers")
                .isEqualTo(1);
        assertThat(tracker.expire(nowNs + 4_000_000_000L)).isZero();
        assertThat(tracker.expire(nowNs + 5_000_000_000L)).isEqualTo(1);
        assertThat(tracker.connections()).isEmpty();
        assertThat(counters.connectionsTracked).isZero();
    }

    @Test
    void shouldRestorePastTheRequestThePrimaryNeverAckedWhenTakingOver() throws Exception {
        handshake(CLIENT_ISN, SERVER_ISN);
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).payload("INCR a\n"));
        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 8).payload("1 1\n"));
        // The next request; the primary dies before acking it, and the client sends it again.
        feed(Frames.fromClient().seq(CLIENT_ISN + 8).ack(SERVER_ISN + 5).payload("INCR b\n"));
        feed(Frames.fromClient().seq(CLIENT_ISN + 8).ack(SERVER_ISN + 5).payload("INCR b\n"));
        final TrackedConnection connection = connection();
        assertThat(connection.clientBytesAtPrimary()).isEqualTo(7);
        assertThat(Takeover.spec(connection).recvSeq())
                .as("rcv_nxt before the takeover took them")
                .isEqualTo(CLIENT_ISN + 8);

        assertThat(connection.takeClientBytesBeyondPrimary()).isEqualTo(7);

        assertThat(connection.clientBytesToFeed()).isEqualTo(14);
        assertThat(new String(connection.client.buffer().copy(7, 14), StandardCharsets.US_ASCII))
                .isEqualTo("INCR b\n");
        assertThat(Takeover.spec(connection).recvSeq())
                .as("rcv_nxt: the restored socket acks the request")
                .isEqualTo(CLIENT_ISN + 15);
        assertThat(Takeover.spec(connection).window().receiveWup()).isEqualTo(CLIENT_ISN + 15);
    }

    @Test
    void shouldTakeNothingBeyondThePrimaryWhenItAckedEverythingOrTheClientFinished() throws Exception {
        handshake(CLIENT_ISN, SERVER_ISN);
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).payload("INCR a\n"));
        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 8).payload("1 1\n"));
        assertThat(connection().takeClientBytesBeyondPrimary()).isZero();
        assertThat(connection().clientBytesToFeed()).isEqualTo(7);

        feed(Frames.fromClient()
                .seq(CLIENT_ISN + 8)
                .ack(SERVER_ISN + 5)
                .payload("bye\n")
                .flags(TcpSegment.FIN | TcpSegment.ACK | TcpSegment.PSH));
        assertThat(connection().takeClientBytesBeyondPrimary())
                .as("after the client's FIN")
                .isZero();
        assertThat(connection().clientBytesToFeed()).isEqualTo(7);
    }

    @Test
    void shouldRestoreAfterTheClientsFinWithItInTheReceiveSequenceOnlyOnceThePrimaryAckedIt() throws Exception {
        handshake(CLIENT_ISN, SERVER_ISN);
        feed(Frames.fromClient()
                .seq(CLIENT_ISN + 1)
                .ack(SERVER_ISN + 1)
                .payload("GET big\n")
                .flags(TcpSegment.FIN | TcpSegment.ACK | TcpSegment.PSH));
        assertThat(Takeover.whyNot(connection()))
                .as("half closed by the client")
                .isNull();
        assertThat(Takeover.clientFinAcked(connection()))
                .as("the primary has not acked the FIN")
                .isFalse();
        assertThat(Takeover.spec(connection()).recvSeq())
                .as("nothing acked: the client sends it all again")
                .isEqualTo(CLIENT_ISN + 1);

        feed(Frames.fromServer().seq(SERVER_ISN + 1).ack(CLIENT_ISN + 10).payload("part one\n"));

        assertThat(Takeover.whyNot(connection()))
                .as("the FIN acked is not a byte missing from the tap")
                .isNull();
        assertThat(Takeover.clientFinAcked(connection())).isTrue();
        final RestoreSpec spec = Takeover.spec(connection());
        assertThat(spec.recvSeq())
                .as("rcv_nxt past the FIN, as the primary acked it")
                .isEqualTo(CLIENT_ISN + 10);
        assertThat(spec.sendSeq())
                .as("the server's unacked bytes go in the send queue")
                .isEqualTo(SERVER_ISN + 1);
        assertThat(spec.window().receiveWup()).isEqualTo(CLIENT_ISN + 10);
        assertThat(spec.finSent()).isFalse();
    }

    @Test
    void shouldRestoreAfterTheServersFinWithItLeftOutOfTheSendSequenceForTheRelayToSendAgain() throws Exception {
        handshake(CLIENT_ISN, SERVER_ISN);
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).payload("HALF\n"));
        feed(Frames.fromServer()
                .seq(SERVER_ISN + 1)
                .ack(CLIENT_ISN + 6)
                .payload("BYE\n")
                .flags(TcpSegment.FIN | TcpSegment.ACK | TcpSegment.PSH));
        feed(Frames.fromClient().seq(CLIENT_ISN + 6).ack(SERVER_ISN + 6).payload("more\n"));
        feed(Frames.fromServer().seq(SERVER_ISN + 6).ack(CLIENT_ISN + 11));

        final TrackedConnection connection = connection();
        assertThat(connection.server.ackedByPeer).as("the client acked the FIN").isEqualTo(5);
        assertThat(Takeover.whyNot(connection)).as("half closed by the server").isNull();
        assertThat(Takeover.clientFinAcked(connection)).isFalse();
        final RestoreSpec spec = Takeover.spec(connection);
        assertThat(spec.sendSeq())
                .as("the client acked everything: snd_una at the FIN")
                .isEqualTo(SERVER_ISN + 5);
        assertThat(spec.unackedBytes()).isEmpty();
        assertThat(spec.finSent()).as("the FIN queued again as sent").isTrue();
        assertThat(spec.recvSeq()).isEqualTo(CLIENT_ISN + 11);
    }

    @Test
    void shouldIgnoreSegmentsWhenNeitherPortIsAServicePort() {
        final Frames other = Frames.fromClient().payload("x");
        tracker = new TcpTracker("test", TrackerConfig.defaults(Set.of(9999)), listener, counters, true);
        feed(other);

        assertThat(summaries()).isEmpty();
        assertThat(counters.notService).isEqualTo(1);
    }

    private void handshake(final long clientIsn, final long serverIsn) {
        Frames.handshake(clientIsn, serverIsn).forEach(this::feed);
    }

    @Test
    void shouldFollowASeededConnectionFromTheOffsetsItWasHandedOverWithAcrossTheWrap() throws Exception {
        final long clientBase = 0xFFFFFFF0L;
        final long serverBase = SERVER_ISN + 1;
        final ReplicaSeed seed = new ReplicaSeed(
                new java.net.InetSocketAddress("198.18.0.1", Frames.CLIENT_PORT),
                new java.net.InetSocketAddress("198.18.0.100", Frames.SERVICE_PORT),
                (int) clientBase,
                (int) serverBase,
                1400,
                7,
                9,
                true,
                false,
                0,
                64_000,
                29_200,
                100,
                "abc".getBytes(StandardCharsets.US_ASCII),
                200,
                "XYZ".getBytes(StandardCharsets.US_ASCII),
                "Q".getBytes(StandardCharsets.US_ASCII),
                null);

        final StringBuilder delivered = new StringBuilder();
        tracker = new TcpTracker(
                "test",
                TrackerConfig.defaults(Set.of(Frames.SERVICE_PORT)),
                new TapListener() {
                    @Override
                    public void onData(
                            final TrackedConnection connection,
                            final boolean fromClient,
                            final long streamOffset,
                            final byte[] bytes,
                            final int offset,
                            final int length,
                            final long nowNs) {
                        delivered
                                .append(fromClient ? "client " : "server ")
                                .append(streamOffset)
                                .append(' ')
                                .append(new String(bytes, offset, length, StandardCharsets.US_ASCII))
                                .append(';');
                    }
                },
                counters,
                true);
        final TrackedConnection connection = tracker.seed(seed, nowNs);

        assertThat(connection).isNotNull();
        assertThat(connection.announced)
                .as("announced to nobody, but counted as known")
                .isTrue();
        assertThat(connection.handshakeSeen()).isTrue();
        assertThat(connection.windowScalingNegotiated()).isTrue();
        assertThat(tracker.seed(seed, nowNs)).as("the same 4-tuple twice").isNull();
        final RestoreSpec before = Takeover.spec(connection);
        assertThat(before.recvSeq())
                .as("rcv_nxt: after the client bytes handed over")
                .isEqualTo((clientBase + 103) & 0xFFFFFFFFL);
        assertThat(before.sendSeq()).as("snd_una").isEqualTo(serverBase + 200);
        assertThat(before.unackedBytes())
                .as("the server bytes the client had not acked")
                .isEqualTo("XYZ".getBytes(StandardCharsets.US_ASCII));
        assertThat(before.sendWindowScale()).isEqualTo(7);
        assertThat(before.recvWindowScale()).isEqualTo(9);

        // The new primary sends XYZ again (not new), then "ok"; the client sends "def", past 2^32, and acks.
        feed(Frames.fromServer()
                .seq(serverBase + 200)
                .ack((clientBase + 103) & 0xFFFFFFFFL)
                .payload("XYZ"));
        feed(Frames.fromServer()
                .seq(serverBase + 203)
                .ack((clientBase + 103) & 0xFFFFFFFFL)
                .payload("ok"));
        feed(Frames.fromClient()
                .seq((clientBase + 103) & 0xFFFFFFFFL)
                .ack(serverBase + 205)
                .payload("def"));

        assertThat(delivered.toString())
                .as("only the bytes past those handed over, at their stream offsets")
                .isEqualTo("server 203 ok;client 103 def;");
        assertThat(connection.client.nextOffset).isEqualTo(106);
        assertThat(connection.server.ackedByPeer).isEqualTo(205);
        assertThat(connection.client.buffer().copy(100, 106))
                .as("kept from the first byte the app had not had")
                .isEqualTo("abcdef".getBytes(StandardCharsets.US_ASCII));
        assertThat(Takeover.spec(connection).recvSeq()).isEqualTo((clientBase + 103) & 0xFFFFFFFFL);
    }

    @Test
    void shouldEndAnOpenConnectionWhenANewConnectionTakesItsFourTuple() {
        handshake(CLIENT_ISN, SERVER_ISN);
        feed(Frames.fromClient().seq(CLIENT_ISN + 1).ack(SERVER_ISN + 1).payload("INCR a\n"));
        // The tap missed its end (the FINs, or a RST); the client port comes round again with a new ISN.
        handshake(CLIENT_ISN + 900_000, SERVER_ISN + 900_000);

        assertThat(listener.closed)
                .as("the replica and the read log of the old one go with it")
                .isEqualTo(1);
        assertThat(tracker.history()).hasSize(2);
        assertThat(tracker.history().get(0).state).isEqualTo(ConnectionState.REPLACED);
        assertThat(tracker.history().get(1).isOpen()).isTrue();
        assertThat(tracker.connections()).containsExactly(tracker.history().get(1));
    }

    @Test
    void shouldTakeTheReplicasBytesForAHoleInTheServerStreamOnlyWhileTheConnectionIsProtected() {
        handshake(CLIENT_ISN, SERVER_ISN);
        // The tap misses the primary's "1 1\n" and sees "2 2\n" after it.
        feed(Frames.fromServer().seq(SERVER_ISN + 5).ack(CLIENT_ISN + 1).payload("2 2\n"));
        final TrackedConnection connection = connection();
        assertThat(connection.server.nextOffset).isZero();

        tracker.inbox().replicaOutput(connection, 0, bytes("1 1\n"));
        connection.unprotect("divergence: test");
        assertThat(tracker.drainInbox(nowNs)).isEqualTo(1);
        assertThat(connection.server.nextOffset)
                .as("a replica that diverged after handing its output in stands for nothing")
                .isZero();

        final TrackedConnection protectedOne = protectedConnectionWithServerHole();
        tracker.inbox().replicaOutput(protectedOne, 0, bytes("1 1\n"));
        tracker.drainInbox(nowNs);
        assertThat(protectedOne.server.nextOffset).isEqualTo(8);
        assertThat(listener.stream(false)).isEqualTo("1 1\n2 2\n");
        assertThat(counters.bytesFromReplica)
                .as("the replica's bytes and the tap's after them")
                .isEqualTo(8);
    }

    private TrackedConnection protectedConnectionWithServerHole() {
        tracker = new TcpTracker("test", TrackerConfig.defaults(Set.of(Frames.SERVICE_PORT)), listener, counters, true);
        handshake(CLIENT_ISN, SERVER_ISN);
        feed(Frames.fromServer().seq(SERVER_ISN + 5).ack(CLIENT_ISN + 1).payload("2 2\n"));
        return connection();
    }

    private static byte[] bytes(final String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private void feed(final Frames frames) {
        final byte[] frame = frames.build();
        assertThat(decoder.decode(frame, frame.length, frame.length, segment)).isEqualTo(DecodeResult.TCP);
        nowNs += 1_000_000;
        tracker.onSegment(segment, nowNs);
    }

    private List<ConnectionSummary> summaries() {
        final List<ConnectionSummary> summaries = new ArrayList<>();
        tracker.history().forEach(connection -> summaries.add(ConnectionSummary.of(connection)));
        return summaries;
    }

    private Map<String, Object> onlySummary() {
        assertThat(summaries()).hasSize(1);
        return summaries().get(0).fields();
    }

    /** A tracker that keeps closed connections 5 s, with history (for {@link #connection()}). */
    private TcpTracker lingeringFor5s() {
        return new TcpTracker(
                "test",
                new TrackerConfig(Set.of(Frames.SERVICE_PORT), 1024, 4096, 16, 10, 5_000_000_000L),
                listener,
                counters,
                true);
    }

    private TrackedConnection connection() {
        assertThat(tracker.history()).hasSize(1);
        return tracker.history().get(0);
    }

    private static final class RecordingListener implements TapListener {
        final ByteArrayOutputStream clientStream = new ByteArrayOutputStream();
        final ByteArrayOutputStream serverStream = new ByteArrayOutputStream();
        final List<String> acks = new ArrayList<>();
        int closed;

        @Override
        public void onData(
                final TrackedConnection connection,
                final boolean fromClient,
                final long streamOffset,
                final byte[] bytes,
                final int offset,
                final int length,
                final long nowNs) {
            final ByteArrayOutputStream stream = fromClient ? clientStream : serverStream;
            assertThat(streamOffset).as("data arrives in order").isEqualTo(stream.size());
            stream.write(bytes, offset, length);
        }

        @Override
        public void onAcked(
                final TrackedConnection connection,
                final boolean clientStream,
                final long ackedOffset,
                final int rawAck,
                final long window,
                final long nowNs) {
            if (ackedOffset > 0) {
                acks.add((clientStream ? "client" : "server") + " stream acked to " + ackedOffset);
            }
        }

        @Override
        public void onClosed(final TrackedConnection connection, final long nowNs) {
            closed++;
        }

        String stream(final boolean fromClient) {
            return (fromClient ? clientStream : serverStream).toString(StandardCharsets.US_ASCII);
        }
    }
}
