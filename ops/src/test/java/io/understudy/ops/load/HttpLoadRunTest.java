package io.understudy.ops.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator's HTTP protocol against a loopback keep-alive server that answers like nginx's
 * {@code return 200 "$connection_requests\n<padding>"} and misbehaves in one precise way each.
 */
@Timeout(30)
final class HttpLoadRunTest {
    /** Long enough for several requests per connection even on a loaded 2-core machine. */
    private static final long REPLY_TIMEOUT_MS = 10_000;

    @Test
    void shouldReportEveryConnectionOkWhenOnlyTheDateChangesBetweenReplies() throws Exception {
        try (TestServer server = TestServer.httpServer(TestServer::httpOk)) {
            final LoadReport report = run(server, 2);

            LoadRunTest.assertFaults(report, 0, 0, 0, 0, 0);
            assertThat(report.connectionsOk()).isEqualTo(2);
            assertThat(report.replies())
                    .as("several replies, each with its own Date")
                    .isGreaterThan(4);
            assertThat(report.exitCode()).isZero();
            assertThat(report.toJson()).endsWith(",\"protocol\":\"http\"}");
        }
    }

    @Test
    void shouldReadRepliesWhenHeaderNamesAreInAnyCase() throws Exception {
        try (TestServer server = TestServer.httpServer(n -> {
            final String body = n + "\n" + TestServer.HTTP_PADDING;
            return TestServer.httpReply(
                    "200 OK", "content-LENGTH:" + body.length() + " \r\nCONNECTION: Keep-Alive\r\n", body);
        })) {
            final LoadReport report = run(server, 1);

            LoadRunTest.assertFaults(report, 0, 0, 0, 0, 0);
            assertThat(report.replies()).isGreaterThan(4);
        }
    }

    @Test
    void shouldReportOkWhenHeadAndBodyArriveInPieces() throws Exception {
        try (TestServer server = TestServer.httpServerInPieces(n -> cutThroughHeadAndBody(TestServer.httpOk(n)))) {
            final LoadReport report = run(server, 1);

            LoadRunTest.assertFaults(report, 0, 0, 0, 0, 0);
            assertThat(report.replies()).as("each reply takes six pauses").isGreaterThan(3);
            assertThat(report.connectionsOk()).isEqualTo(1);
        }
    }

    @Test
    void shouldCountOneSkipPerConnectionWhenServerSkipsOneRequestCounter() throws Exception {
        try (TestServer server = TestServer.httpServer(n -> TestServer.httpOk(n >= 5 ? n + 1 : n))) {
            final LoadReport report = run(server, 2);

            LoadRunTest.assertFaults(report, 2, 0, 0, 0, 0);
            assertThat(report.connectionsOk()).isZero();
            assertThat(report.exitCode()).isEqualTo(1);
        }
    }

    @Test
    void shouldCountOneRepeatWhenServerRepeatsOneRequestCounter() throws Exception {
        try (TestServer server = TestServer.httpServer(n -> TestServer.httpOk(n >= 5 ? n - 1 : n))) {
            LoadRunTest.assertFaults(run(server, 1), 0, 1, 0, 0, 0);
        }
    }

    @Test
    void shouldCountOneCorruptedAndGoOnWhenStaticPartOfOneBodyDiffers() throws Exception {
        // Same length as every other body: only a byte-by-byte comparison tells it apart.
        final String damagedPadding = TestServer.HTTP_PADDING.replaceFirst("same", "SAME");
        try (TestServer server = TestServer.httpServer(n -> n == 5
                ? TestServer.httpReply(
                        "200 OK",
                        "Content-Length: " + (n + "\n" + damagedPadding).length() + "\r\n",
                        n + "\n" + damagedPadding)
                : TestServer.httpOk(n))) {
            final LoadReport report = run(server, 1);

            LoadRunTest.assertFaults(report, 0, 0, 1, 0, 0);
            assertThat(report.replies()).as("went on after reply 5").isGreaterThan(5);
            assertThat(report.problems()).singleElement().asString().doesNotContain("stopped");
        }
    }

    @Test
    void shouldCountErrorAndGoOnWhenServerAnswersOneRequestWithStatus500() throws Exception {
        // nginx counts the failed request too: the reply after it carries counter 6.
        final String page = "<html>500 Internal Server Error</html>\n";
        try (TestServer server = TestServer.httpServer(n -> n == 5
                ? TestServer.httpReply(
                        "500 Internal Server Error",
                        "Content-Type: text/html\r\nContent-Length: " + page.length() + "\r\n",
                        page)
                : TestServer.httpOk(n))) {
            final LoadReport report = run(server, 1);

            LoadRunTest.assertFaults(report, 0, 0, 0, 1, 0);
            assertThat(report.replies()).as("went on after reply 5").isGreaterThan(5);
            assertThat(report.problems()).singleElement().asString().doesNotContain("stopped");
        }
    }

    @Test
    void shouldCountCorruptedAndStopAtOnceWhenReplyHasNoContentLength() throws Exception {
        // The server keeps the connection open: a client reading the body up to EOF would wait for the reply timeout.
        try (TestServer server = TestServer.httpServer(n -> n == 3
                ? TestServer.httpReply("200 OK", "Connection: keep-alive\r\n", n + "\n" + TestServer.HTTP_PADDING)
                : TestServer.httpOk(n))) {
            final LoadReport report = run(server, 1);

            LoadRunTest.assertFaults(report, 0, 0, 1, 0, 0);
            assertThat(report.replies()).isEqualTo(2);
            assertThat(report.durationNs())
                    .as("stopped at the reply, not after the reply timeout")
                    .isLessThan(REPLY_TIMEOUT_MS / 2 * 1_000_000L);
            assertThat(report.problems()).singleElement().asString().contains("without Content-Length");
        }
    }

    @Test
    void shouldCountCorruptedAndStopWhenReplyIsChunked() throws Exception {
        try (TestServer server = TestServer.httpServer(n -> n == 3
                ? TestServer.httpReply("200 OK", "Transfer-Encoding: chunked\r\n", "2\r\n3\n\r\n0\r\n\r\n")
                : TestServer.httpOk(n))) {
            final LoadReport report = run(server, 1);

            LoadRunTest.assertFaults(report, 0, 0, 1, 0, 0);
            assertThat(report.replies()).isEqualTo(2);
            assertThat(report.problems()).singleElement().asString().contains("Transfer-Encoding 'chunked'");
        }
    }

    @Test
    void shouldCountCorruptedAndStopWhenContentLengthIsOverTheLimit() throws Exception {
        final int tooLong = HttpReplyReader.MAX_BODY_BYTES + 1;
        try (TestServer server = TestServer.httpServer(n -> n == 3
                ? TestServer.httpReply("200 OK", "Content-Length: " + tooLong + "\r\n", "")
                : TestServer.httpOk(n))) {
            final LoadReport report = run(server, 1);

            LoadRunTest.assertFaults(report, 0, 0, 1, 0, 0);
            assertThat(report.replies()).isEqualTo(2);
            assertThat(report.problems()).singleElement().asString().contains("over the limit");
        }
    }

    @Test
    void shouldCountCorruptedAndStopWhenHeadIsOverTheLimit() throws Exception {
        final String header = "X-Filler: " + "f".repeat(1_000) + "\r\n";
        final String body = "3\n" + TestServer.HTTP_PADDING;
        try (TestServer server = TestServer.httpServer(n -> n == 3
                ? TestServer.httpReply(
                        "200 OK",
                        header.repeat(HttpReplyReader.MAX_HEAD_BYTES / header.length() + 1) + "Content-Length: "
                                + body.length() + "\r\n",
                        body)
                : TestServer.httpOk(n))) {
            final LoadReport report = run(server, 1);

            LoadRunTest.assertFaults(report, 0, 0, 1, 0, 0);
            assertThat(report.replies()).isEqualTo(2);
            assertThat(report.problems()).singleElement().asString().contains("head longer than");
        }
    }

    @Test
    void shouldCountErrorAndStopWhenServerSendsConnectionClose() throws Exception {
        try (TestServer server = TestServer.httpServerInPieces(n -> {
            final String body = n + "\n" + TestServer.HTTP_PADDING;
            return n < 4
                    ? List.of(TestServer.httpOk(n))
                    : List.of(
                            TestServer.httpReply(
                                    "200 OK", "Content-Length: " + body.length() + "\r\nConnection: close\r\n", body),
                            TestServer.CLOSE);
        })) {
            final LoadReport report = run(server, 1);

            LoadRunTest.assertFaults(report, 0, 0, 0, 1, 0);
            assertThat(report.replies())
                    .as("the reply that announced the close was checked")
                    .isEqualTo(4);
            assertThat(report.problems()).singleElement().asString().contains("EOFException", "Connection: close");
        }
    }

    @Test
    void shouldCountErrorAndStopWhenServerClosesWithinBody() throws Exception {
        try (TestServer server = TestServer.httpServerInPieces(n -> {
            final String reply = TestServer.httpOk(n);
            return n < 3 ? List.of(reply) : List.of(reply.substring(0, reply.length() - 100), TestServer.CLOSE);
        })) {
            final LoadReport report = run(server, 1);

            LoadRunTest.assertFaults(report, 0, 0, 0, 1, 0);
            assertThat(report.replies()).isEqualTo(2);
            assertThat(report.problems()).singleElement().asString().contains("EOFException");
        }
    }

    /**
     * @return reply in six pieces: cut in the status line, in the Content-Length header's name, between the "\r" and
     *     "\n" that end the head, right after the head, after the counter's first digit and within the padding
     */
    private static List<String> cutThroughHeadAndBody(final String reply) {
        final int bodyStart = reply.indexOf("\r\n\r\n") + 4;
        final int[] cuts = {
            "HTTP/1.1 2".length(),
            reply.indexOf("Content-Length") + "Content-Le".length(),
            bodyStart - 1,
            bodyStart,
            bodyStart + 1,
            bodyStart + 2_000
        };
        final List<String> pieces = new ArrayList<>();
        int from = 0;
        for (final int cut : cuts) {
            pieces.add(reply.substring(from, cut));
            from = cut;
        }
        pieces.add(reply.substring(from));
        return pieces;
    }

    private static LoadReport run(final TestServer server, final int connections) throws InterruptedException {
        return LoadRun.run(LoadRunTest.config(server.port(), connections, Protocol.HTTP, REPLY_TIMEOUT_MS));
    }
}
