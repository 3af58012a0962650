package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client sends its requests and its FIN and waits for the rest of the replies (a half-closed connection, as an
 * HTTP/1.0 client or `nc -N` leaves it); the primary host crashes while the server is still working on them. The
 * backup restores the connection with the client's FIN in it: the client gets every reply, in order, then the end
 * of the stream, and no reset.
 */
@Tag("lab")
@Timeout(300)
class HalfClosedConnectionsSurviveHostCrashTest {
    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    void shouldDeliverEveryReplyThenTheEndToAClientThatHadSentItsFin() throws Exception {
        Lab.startDemoService();
        final Path marker = Files.createTempDirectory("half-close").resolve("fin-sent");
        final CompletableFuture<Lab.Result> client = CompletableFuture.supplyAsync(() -> Lab.exec(
                Lab.CLIENT,
                Duration.ofSeconds(90),
                "java",
                "-Xmx64m",
                "-Djava.net.preferIPv4Stack=true",
                "-cp",
                Lab.TEST_CLASSES.toString(),
                HalfCloseClient.class.getName(),
                Lab.VIP,
                String.valueOf(Lab.DEMO_SERVICE_PORT),
                "INCR half|SLEEP 6000|INCR half",
                marker.toString(),
                "60"));
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(marker)) {
            assertThat(System.nanoTime()).as("the client sent its FIN").isLessThan(deadlineNs);
            Thread.sleep(50);
        }
        Thread.sleep(500); // the primary acks the FIN; the server sleeps on the second request
        System.out.println("drill: "
                + Lab.expectOk(Lab.lab(Duration.ofSeconds(60), "fail", "host-crash"))
                        .stdout()
                        .strip());

        final Lab.Result result = client.get();
        System.out.println("half-closed client: " + result);
        assertThat(result.stdout())
                .as("every reply in order, then the end of the stream")
                .isEqualTo("1 1\n2 slept 6000\n3 2\nEOF\n");
        assertThat(result.exitCode()).isZero();
        final JsonNode failover = Lab.api(Lab.BACKUP, "/status").get("lastFailover");
        System.out.println("half-closed client: failover " + failover);
        assertThat(failover.get("notRestored").size()).as("%s", failover).isZero();
        assertThat(failover.get("restored").asInt()).as("%s", failover).isPositive();
        Files.deleteIfExists(marker);
        Files.deleteIfExists(marker.getParent());
    }
}
