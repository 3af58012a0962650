package io.understudy.admin.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The primary's API asked early whether it handed over: fence when unreachable, ask a live one again at the end. */
class PeerReleaseCheckTest {
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicInteger asked = new AtomicInteger();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void shouldFenceWithoutAskingAgainWhenTheApiDidNotAnswerEarly() throws Exception {
        final PeerReleaseCheck check = PeerReleaseCheck.start(
                scripted(List.of(new HttpTimeoutException("request timed out"))), TIMEOUT, executor);

        assertThat(check.released()).isEmpty();
        assertThat(asked.get()).as("questions asked").isEqualTo(1);
        assertThat(check.earlyOutcome()).startsWith("unreachable: ").contains("request timed out");
    }

    @Test
    void shouldNotFenceWhenTheLivePrimaryHasBegunAHandoverSinceTheEarlyAnswer() throws Exception {
        final PeerReleaseCheck check = PeerReleaseCheck.start(
                scripted(List.of(status("PRIMARY", true), status("HANDING_OVER", false))), TIMEOUT, executor);

        assertThat(check.released()).contains("the primary says it is HANDING_OVER and does not hold the address");
        assertThat(asked.get())
                .as("questions asked: early, then again at the decision")
                .isEqualTo(2);
        assertThat(check.earlyOutcome()).isEqualTo("answered");
    }

    @Test
    void shouldFenceWhenTheLivePrimaryStillHoldsTheAddressOrStopsAnswering() throws Exception {
        assertThat(PeerReleaseCheck.start(
                                scripted(List.of(status("PRIMARY", true), status("PRIMARY", true))), TIMEOUT, executor)
                        .released())
                .isEmpty();
        assertThat(PeerReleaseCheck.start(
                                scripted(List.of(status("HANDING_OVER", true), status("HANDING_OVER", true))),
                                TIMEOUT,
                                executor)
                        .released())
                .as("handing over but still holding the address")
                .isEmpty();
        assertThat(PeerReleaseCheck.start(
                                scripted(List.of(status("HANDING_OVER", false), new IOException("connection refused"))),
                                TIMEOUT,
                                executor)
                        .released())
                .as("answered early, unreachable at the decision")
                .isEmpty();
        assertThat(asked.get()).isEqualTo(6);
    }

    @Test
    void shouldTellALivePrimaryFromAnUnreachableOrReleasingOne() throws Exception {
        final PeerReleaseCheck live =
                PeerReleaseCheck.start(scripted(List.of(status("PRIMARY", true))), TIMEOUT, executor);
        final PeerReleaseCheck gone =
                PeerReleaseCheck.start(scripted(List.of(new IOException("no route to host"))), TIMEOUT, executor);
        final PeerReleaseCheck releasing =
                PeerReleaseCheck.start(scripted(List.of(status("HANDING_OVER", false))), TIMEOUT, executor);
        awaitAnswered(live, gone, releasing);

        assertThat(live.answeredAsLivePrimary())
                .as("answered PRIMARY: its own app check runs")
                .isTrue();
        assertThat(gone.answeredAsLivePrimary()).as("unreachable").isFalse();
        assertThat(releasing.answeredAsLivePrimary()).as("handing over").isFalse();
    }

    private static void awaitAnswered(final PeerReleaseCheck... checks) throws InterruptedException {
        for (final PeerReleaseCheck check : checks) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while ("pending".equals(check.earlyOutcome()) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(check.earlyOutcome()).isNotEqualTo("pending");
        }
    }

    @Test
    void shouldCountALivePrimarysAnswerOnlyWhenAskedAfterItsHeartbeatWasLost() throws Exception {
        final long beforeNs = System.nanoTime();
        final PeerReleaseCheck check =
                PeerReleaseCheck.start(scripted(List.of(status("PRIMARY", true))), TIMEOUT, executor);
        check.awaitEarly();
        final long afterNs = System.nanoTime();

        assertThat(check.answeredAsLivePrimary()).isTrue();
        assertThat(check.liveAnswerCountsAfterLossAt(beforeNs))
                .as("asked after the loss: the host lived then")
                .isTrue();
        assertThat(check.liveAnswerCountsAfterLossAt(afterNs))
                .as("asked while the heartbeat was only late: says nothing of the host after the loss")
                .isFalse();
    }

    @Test
    void shouldFenceWhenTheEarlyQuestionHangsPastItsTimeout() throws Exception {
        final CountDownLatch never = new CountDownLatch(1);
        final PeerReleaseCheck check = PeerReleaseCheck.start(
                timeout -> {
                    asked.incrementAndGet();
                    never.await();
                    return status("BACKUP", false);
                },
                TIMEOUT,
                executor);

        final long startNs = System.nanoTime();
        assertThat(check.released()).isEmpty();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs))
                .as("ms waited")
                .isGreaterThanOrEqualTo(TIMEOUT.toMillis());
        assertThat(check.earlyOutcome()).isEqualTo("pending");
    }

    /** Answers (a status, or an exception thrown) in turn, counting the questions. */
    private PeerReleaseCheck.Asker scripted(final List<Object> answers) {
        final Deque<Object> left = new ArrayDeque<>(answers);
        return timeout -> {
            asked.incrementAndGet();
            assertThat(timeout).isEqualTo(TIMEOUT);
            final Object next;
            synchronized (left) {
                next = left.removeFirst();
            }
            if (next instanceof IOException ex) {
                throw ex;
            }
            return (JsonNode) next;
        };
    }

    private static JsonNode status(final String state, final boolean holds) {
        return JSON.createObjectNode().put("state", state).put("holdsServiceAddress", holds);
    }
}
