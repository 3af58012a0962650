package io.understudy.ops.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/** Stall, latency and failure accounting of one connection, with hand-moved times. */
final class ConnectionRecorderTest {
    private static final long MS = 1_000_000L;

    private final ConnectionRecorder recorder = new ConnectionRecorder(7, 5 * MS);

    @Test
    void shouldTakeLongestReplyWaitAsStallWhenRepliesComeOnTime() {
        recorder.onReply(0, 1 * MS, Verdict.OK);
        recorder.onReply(5 * MS, 9 * MS, Verdict.OK);
        recorder.onReply(10 * MS, 11 * MS, Verdict.OK);

        final ConnectionResult result = recorder.result();
        assertThat(result.maxStallNs()).isEqualTo(4 * MS);
        assertThat(result.latenciesNs()).containsExactly(1 * MS, 4 * MS, 1 * MS);
        assertThat(result.isOk()).isTrue();
    }

    @Test
    void shouldTakeGapBeyondIntervalAsStallWhenRepliesPauseBetweenRequests() {
        recorder.onReply(0, 1 * MS, Verdict.OK);
        recorder.onReply(900 * MS, 901 * MS, Verdict.OK);

        assertThat(recorder.result().maxStallNs()).isEqualTo(895 * MS);
    }

    @Test
    void shouldKeepSlowRepliesAndTheWaitBeforeAFailureAsStallsForThePicture() {
        recorder.onReply(0, 1 * MS, Verdict.OK);
        recorder.onReply(5 * MS, 49 * MS, Verdict.OK);
        recorder.onReply(100 * MS, 950 * MS, Verdict.OK);
        recorder.onReply(955 * MS, 956 * MS, Verdict.OK);
        recorder.onFailure(new SocketException("Connection reset"), 0, 1_300 * MS);

        assertThat(recorder.result().stalls())
                .as("start, length, kind: a reply of 44 ms is not a stall")
                .containsExactly(
                        100 * MS,
                        850 * MS,
                        ConnectionRecorder.SLOW_REPLY,
                        956 * MS,
                        344 * MS,
                        ConnectionRecorder.STOPPED);
    }

    @Test
    void shouldKeepEveryLatencyWhenManyRepliesArrive() {
        for (int i = 0; i < 5000; i++) {
            recorder.onReply(i * 10L, i * 10L + i, Verdict.OK);
        }

        assertThat(recorder.result().latenciesNs()).hasSize(5000).endsWith(4999L);
    }

    @Test
    void shouldCountResetWhenFailureSaysConnectionReset() {
        recorder.onReply(0, 1 * MS, Verdict.OK);
        recorder.onFailure(new SocketException("Connection reset"));

        final ConnectionResult result = recorder.result();
        assertThat(result.resets()).isEqualTo(1);
        assertThat(result.errors()).isZero();
        assertThat(result.isOk()).isFalse();
        assertThat(result.describeProblem())
                .startsWith("connection 7: 1 replies")
                .contains("Connection reset");
    }

    @Test
    void shouldCountResetWhenWriteFailsWithBrokenPipe() {
        recorder.onFailure(new SocketException("Broken pipe (Write failed)"));

        assertThat(recorder.result().resets()).isEqualTo(1);
    }

    @Test
    void shouldCountErrorWhenFailureIsTimeoutOrEof() {
        recorder.onFailure(new SocketTimeoutException("no complete reply"));
        recorder.onFailure(new EOFException("server closed"));

        assertThat(recorder.result().errors()).isEqualTo(2);
        assertThat(recorder.result().resets()).isZero();
    }

    @Test
    void shouldCountCorruptedWhenReplyIsTooLong() {
        recorder.onFailure(new ReplyReader.UnframeableReplyException());

        assertThat(recorder.result().corrupted()).isEqualTo(1);
    }

    @Test
    void shouldNotBeOkWhenNoReplyArrived() {
        assertThat(recorder.result().isOk()).isFalse();
    }
}
