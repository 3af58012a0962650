package io.understudy.admin.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The primary's judgement of its peer around a handover, against a real HTTP server on 127.0.0.1 playing the peer's
 * GET /status: a drill only to a ready backup, and after a failed handover the address taken back only when the peer
 * does not hold it.
 */
class PeerJudgeTest {
    private static final String READY = "{\"nodeId\":\"backup\",\"role\":\"BACKUP\",\"state\":\"BACKUP\","
            + "\"holdsServiceAddress\":false,\"tap\":{\"running\":true},\"appHealth\":{\"alive\":true,\"hung\":false,"
            + "\"failed\":null},\"lastFailover\":null}";
    private static final String SERVING = "{\"nodeId\":\"backup\",\"role\":\"PRIMARY\",\"state\":\"PRIMARY\","
            + "\"holdsServiceAddress\":true,\"tap\":null,\"lastFailover\":{\"at\":\"2026-12-01T18:00:00Z\","
            + "\"trigger\":\"planned handover drill from primary\",\"detectionMs\":0,\"takeoverMs\":300,\"restoreMs\":60,"
            + "\"restored\":20,\"notRestored\":{},\"divergences\":0,\"mode\":\"hot\",\"fence\":\"not fenced\","
            + "\"epoch\":3}}";

    private final AtomicReference<String> status = new AtomicReference<>(READY);
    private HttpServer server;
    private URI base;
    private boolean present = true;
    private Optional<String> otherHolder = Optional.empty();

    @BeforeEach
    void startPeer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/status", exchange -> {
            final byte[] body = status.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @AfterEach
    void stopPeer() {
        server.stop(0);
    }

    private PeerJudge judge() {
        return new PeerJudge(
                "primary",
                () -> new PeerApi(base, "token"),
                () -> present,
                () -> List.of("primary"),
                () -> otherHolder,
                200);
    }

    @Test
    void shouldLetADrillGoOnlyToAReadyBackupInTheView() throws Exception {
        assertThat(judge().checkReady(new PeerApi(base, "token"))).isEqualTo("backup");

        status.set(SERVING);
        assertThatThrownBy(() -> judge().checkReady(new PeerApi(base, "token")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("it is PRIMARY")
                .hasMessageContaining("it taps nothing");

        status.set(READY.replace("\"hung\":false", "\"hung\":true"));
        assertThatThrownBy(() -> judge().checkReady(new PeerApi(base, "token")))
                .hasMessageContaining("its app is not healthy");

        present = false;
        status.set(READY);
        assertThatThrownBy(() -> judge().checkReady(new PeerApi(base, "token")))
                .hasMessageContaining("not in the heartbeat view ([primary], waited 200 ms)");
    }

    @Test
    void shouldTakeTheAddressBackOnlyWhenThePeerSaysItDoesNotHoldIt() throws Exception {
        final PeerJudge.Verdict backup = judge().afterFailedHandover(new IOException("HTTP 409"), System.nanoTime(), 0);
        assertThat(backup.mayTakeBack()).isTrue();
        assertThat(backup.peerServes()).isFalse();

        status.set(SERVING);
        final PeerJudge.Verdict serving =
                judge().afterFailedHandover(new IOException("timed out"), System.nanoTime(), 0);
        assertThat(serving.peerServes()).isTrue();
        assertThat(serving.mayTakeBack()).isFalse();
        assertThat(serving.serves().restored()).isEqualTo(20);
    }

    @Test
    void shouldNotTakeTheAddressBackWhileThePeerStillCarriesTheHandoverOut() throws Exception {
        // The peer accepted the request but has not switched to TAKING_OVER yet: BACKUP, no address, handover set.
        final String accepted = READY.replace(
                "\"lastFailover\":null",
                "\"lastFailover\":null," + "\"handover\":\"planned handover drill from primary\"");
        status.set(accepted);
        final Thread serves = new Thread(() -> {
            try {
                Thread.sleep(700);
            } catch (final InterruptedException ex) {
                return;
            }
            status.set(SERVING);
        });
        serves.start();
        final PeerJudge.Verdict verdict =
                judge().afterFailedHandover(new IOException("timed out"), System.nanoTime(), 0);
        serves.join();
        assertThat(verdict.peerServes()).as(verdict.why()).isTrue();
        assertThat(verdict.mayTakeBack()).isFalse();

        // A handover still under way when the budget (and 2 s) ran out: the address stays released.
        status.set(accepted);
        final PeerJudge.Verdict stuck =
                judge().afterFailedHandover(new IOException("timed out"), System.nanoTime() - 3_000_000_000L, 0);
        assertThat(stuck.mayTakeBack()).as(stuck.why()).isFalse();
        assertThat(stuck.peerServes()).isFalse();
        assertThat(stuck.why()).contains("still carries a handover out (planned handover drill from primary)");
    }

    @Test
    void shouldFollowTheArpAnswerWhenThePeersStatusCannotBeRead() throws Exception {
        server.stop(0);
        otherHolder = Optional.of("02:00:00:00:00:03");
        final PeerJudge.Verdict answered =
                judge().afterFailedHandover(new IOException("timed out"), System.nanoTime(), 0);
        assertThat(answered.peerServes()).as(answered.why()).isTrue();
        assertThat(answered.why()).contains("02:00:00:00:00:03");

        otherHolder = Optional.empty();
        final PeerJudge.Verdict silent =
                judge().afterFailedHandover(new IOException("timed out"), System.nanoTime(), 0);
        assertThat(silent.mayTakeBack()).as(silent.why()).isTrue();
        assertThat(silent.peerServes()).isFalse();
    }

    @Test
    void shouldJudgeAnUndeliveredRequestAtOnceWhileThePeerIsInTheView() throws Exception {
        server.stop(0);
        final IOException refused = new IOException("no connection", new ConnectException("Connection refused"));
        final long startNs = System.nanoTime();
        final PeerJudge.Verdict verdict = judge().afterFailedHandover(refused, startNs, 60_000);
        assertThat(verdict.mayTakeBack()).as(verdict.why()).isTrue();
        assertThat(verdict.why()).contains("did not reach the peer");
        assertThat(System.nanoTime() - startNs)
                .as("judged without waiting out the 60 s budget")
                .isLessThan(10_000_000_000L);
        assertThat(PeerJudge.notDelivered(new IOException("timed out"))).isFalse();
    }
}
