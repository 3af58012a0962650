package io.understudy.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo service over real loopback sockets: replies, pipelining, half-close and resets. */
@Timeout(30)
final class DemoServerTest {
    /** "é" as the two bytes UTF-8 puts on the wire, one char per byte. */
    private static final String UTF8_E_ACUTE =
            new String("\u00e9".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);

    private DemoServer server;
    private int port;

    @BeforeEach
    void startServer() throws IOException {
        server = new DemoServer(InetAddress.getLoopbackAddress(), 0);
        port = server.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void shouldNumberEveryReplyWhenRequestsComeOneByOne() throws IOException {
        try (LineClient client = new LineClient(port)) {
            assertThat(client.request("GET color")).isEqualTo("1 (nil)");
            assertThat(client.request("SET color dark blue ")).isEqualTo("2 OK");
            assertThat(client.request("GET color")).isEqualTo("3 dark blue ");
            assertThat(client.request("APPEND color " + UTF8_E_ACUTE))
                    .as("length in bytes")
                    .isEqualTo("4 12");
            assertThat(client.request("GET color")).isEqualTo("5 dark blue " + UTF8_E_ACUTE);
            assertThat(client.request("INCR hits")).isEqualTo("6 1");
            assertThat(client.request("INCR hits")).isEqualTo("7 2");
            assertThat(client.request("INCR color")).isEqualTo("8 ERR value is not an integer");
            assertThat(client.request("get color")).isEqualTo("9 ERR unknown command 'get'");
            assertThat(client.request("GET")).isEqualTo("10 ERR wrong number of arguments for 'GET'");
            assertThat(client.request("SET onlykey")).isEqualTo("11 ERR wrong number of arguments for 'SET'");
            assertThat(client.request("STATS now")).isEqualTo("12 ERR wrong number of arguments for 'STATS'");
            assertThat(client.request("STATS")).isEqualTo("13 connections=1 accepted=1 resets=0");
            assertThat(client.request("QUIT")).isEqualTo("14 BYE");
            assertThat(client.read()).isEqualTo(-1);
        }
    }

    @Test
    void shouldStripCarriageReturnWhenLineEndsWithCrLf() throws IOException {
        try (LineClient client = new LineClient(port)) {
            client.send("SET k v\r\nGET k\r\n");
            assertThat(client.readLine()).isEqualTo("1 OK");
            assertThat(client.readLine()).isEqualTo("2 v");
        }
    }

    @Test
    void shouldReplyToEachRequestInOrderWhenRequestsArePipelinedInOneWrite() throws IOException {
        final StringBuilder requests = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            requests.append("INCR piped\n");
        }
        try (LineClient client = new LineClient(port)) {
            client.send(requests.toString());
            for (int i = 1; i <= 500; i++) {
                assertThat(client.readLine()).isEqualTo(i + " " + i);
            }
        }
    }

    @Test
    void shouldReplyToEveryLineThenCloseWhenClientHalfCloses() throws IOException {
        try (LineClient client = new LineClient(port)) {
            client.send("SET half 1\nGET half\nINCR half");
            client.socket().shutdownOutput();
            assertThat(client.readLine()).isEqualTo("1 OK");
            assertThat(client.readLine()).isEqualTo("2 1");
            assertThat(client.read())
                    .as("the incomplete last line gets no reply, then EOF")
                    .isEqualTo(-1);
        }
    }

    @Test
    void shouldResetConnectionWhenClientSendsReset() throws IOException {
        try (LineClient client = new LineClient(port)) {
            assertThat(client.request("INCR before-reset")).isEqualTo("1 1");
            client.send("RESET\n");
            assertThatThrownBy(client::read).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
    }

    @Test
    void shouldCountResetWhenClientAbortsItsConnection() throws Exception {
        try (LineClient aborting = new LineClient(port);
                LineClient observer = new LineClient(port)) {
            assertThat(aborting.request("INCR x")).isEqualTo("1 1");
            aborting.abort();
            awaitResets(1);
            assertThat(observer.request("STATS")).isEqualTo("1 connections=1 accepted=2 resets=1");
        }
    }

    @Test
    void shouldRejectAndCloseWhenLineIsLongerThan64KiB() throws IOException {
        try (LineClient client = new LineClient(port)) {
            client.send("SET big " + "x".repeat(ClientConnection.MAX_LINE_BYTES) + "\n");
            assertThat(client.readLine()).isEqualTo("1 ERR line too long");
            assertThat(client.read()).isEqualTo(-1);
        }
    }

    @Test
    void shouldAcceptLineWhenItIsExactly64KiB() throws IOException {
        final String value = "y".repeat(ClientConnection.MAX_LINE_BYTES - "SET big ".length());
        try (LineClient client = new LineClient(port)) {
            assertThat(client.request("SET big " + value)).isEqualTo("1 OK");
            assertThat(client.request("APPEND big z")).isEqualTo("2 " + (value.length() + 1));
        }
    }

    @Test
    void shouldLoseNoIncrementWhenConnectionsIncrementOneKeyConcurrently() throws Exception {
        final ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            final List<Future<Void>> done = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                done.add(clients.submit(() -> incrementShared(250)));
            }
            for (final Future<Void> future : done) {
                future.get();
            }
        } finally {
            clients.shutdownNow();
        }
        try (LineClient client = new LineClient(port)) {
            assertThat(client.request("GET shared")).isEqualTo("1 1000");
        }
    }

    private Void incrementShared(final int times) throws IOException {
        try (LineClient client = new LineClient(port)) {
            for (int i = 1; i <= times; i++) {
                assertThat(client.request("INCR shared")).startsWith(i + " ");
            }
        }
        return null;
    }

    private void awaitResets(final long expected) throws InterruptedException {
        final long deadlineNs = System.nanoTime() + 5_000_000_000L;
        while (server.counters().resetConnections() < expected
                || server.counters().openConnections() > 1) {
            assertThat(System.nanoTime() - deadlineNs)
                    .as("resets counted within 5 s")
                    .isNegative();
            Thread.sleep(10);
        }
    }
}
