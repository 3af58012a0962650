package io.understudy.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.understudy.ops.OpsMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load generator, run through its command line, against the real demo service for about one second. */
@Timeout(30)
final class LoadgenAgainstDemoServiceTest {
    private static final int CONNECTIONS = 5;

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
    void shouldReportEveryConnectionOkWithRepliesMatchingStoredValuesWhenServiceIsHealthy() throws IOException {
        final StringWriter out = new StringWriter();
        final int exitCode = OpsMain.execute(
                new PrintWriter(out),
                new PrintWriter(new StringWriter()),
                "loadgen",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--connections",
                Integer.toString(CONNECTIONS),
                "--interval-ms",
                "2",
                "--duration-s",
                "1",
                "--key-prefix",
                "healthy-",
                "--json-only");

        assertThat(exitCode).isZero();
        assertThat(out.toString()).endsWith("\n").hasLineCount(1);
        final JsonNode report = new ObjectMapper().readTree(out.toString());
        assertThat(fieldNames(report))
                .containsExactly(
                        "connections_ok",
                        "connections_total",
                        "replies",
                        "skipped",
                        "repeated",
                        "corrupted",
                        "errors",
                        "resets",
                        "max_stall_ms",
                        "stall_p99_ms",
                        "latency_p50_ms",
                        "latency_p99_ms",
                        "duration_s",
                        "failed_local_ports",
                        "protocol");
        assertThat(report.get("connections_ok").asInt()).isEqualTo(CONNECTIONS);
        assertThat(report.get("connections_total").asInt()).isEqualTo(CONNECTIONS);
        assertThat(List.of("skipped", "repeated", "corrupted", "errors", "resets"))
                .allSatisfy(fault ->
                        assertThat(report.get(fault).asLong()).as(fault).isZero());
        assertThat(report.get("protocol").asText()).isEqualTo("line");
        assertThat(report.get("failed_local_ports")).as("no connection failed").isEmpty();
        assertThat(report.get("duration_s").asDouble()).isBetween(1.0, 10.0);
        assertThat(report.get("latency_p99_ms").asDouble())
                .isGreaterThanOrEqualTo(report.get("latency_p50_ms").asDouble())
                .isPositive();
        // Every reply was one applied INCR on a fresh key: the stored values add up to the reply count.
        assertThat(report.get("replies").asLong())
                .isEqualTo(sumOfStoredValues())
                .isGreaterThan(CONNECTIONS * 50L);
        assertThat(server.counters().describe())
                .as("the loadgen connections and the checking client")
                .contains("accepted=" + (CONNECTIONS + 1));
    }

    @Test
    void shouldPrintSummaryAfterJsonLineWhenNotJsonOnly() {
        final StringWriter out = new StringWriter();
        final int exitCode = OpsMain.execute(
                new PrintWriter(out),
                new PrintWriter(new StringWriter()),
                "loadgen",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--connections",
                "2",
                "--duration-s",
                "1");

        assertThat(exitCode).isZero();
        final String[] lines = out.toString().split("\n");
        assertThat(lines[0]).startsWith("{\"connections_ok\":2,").endsWith("\"protocol\":\"line\"}");
        assertThat(lines[1]).contains("2/2 connections ok");
        assertThat(lines[2]).isEqualTo("faults: skipped=0 repeated=0 corrupted=0 errors=0 resets=0");
    }

    private long sumOfStoredValues() throws IOException {
        long sum = 0;
        try (LineClient client = new LineClient(port)) {
            for (int i = 0; i < CONNECTIONS; i++) {
                final String[] reply = client.request("GET healthy-" + i).split(" ");
                assertThat(reply[0]).isEqualTo(Integer.toString(i + 1));
                sum += Long.parseLong(reply[1]);
            }
        }
        return sum;
    }

    private static List<String> fieldNames(final JsonNode node) {
        final List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
