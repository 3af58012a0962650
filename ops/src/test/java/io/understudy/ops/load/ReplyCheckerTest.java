package io.understudy.ops.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Classification of reply sequences, without sockets. */
final class ReplyCheckerTest {
    private final ReplyChecker checker = new ReplyChecker();

    @Test
    void shouldAcceptAnyFirstValueWhenCountersStartAtOne() {
        assertThat(checkLines(Protocol.LINE, "1 41", "2 42", "3 43")).containsOnly(Verdict.OK);
    }

    @Test
    void shouldReportSkipWhenFirstCounterIsNotOne() {
        assertThat(checkLines(Protocol.LINE, "2 1", "3 2")).containsExactly(Verdict.SKIPPED, Verdict.OK);
    }

    @Test
    void shouldCountSkipOnceWhenValueJumps() {
        assertThat(checkLines(Protocol.LINE, "1 1", "2 2", "3 4", "4 5"))
                .containsExactly(Verdict.OK, Verdict.OK, Verdict.SKIPPED, Verdict.OK);
    }

    @Test
    void shouldCountSkipOnceWhenCounterJumps() {
        assertThat(checkLines(Protocol.LINE, "1 1", "3 2", "4 3"))
                .containsExactly(Verdict.OK, Verdict.SKIPPED, Verdict.OK);
    }

    @Test
    void shouldCountRepeatOnceWhenReplyIsReplayed() {
        assertThat(checkLines(Protocol.LINE, "1 1", "2 2", "2 2", "3 3"))
                .containsExactly(Verdict.OK, Verdict.OK, Verdict.REPEATED, Verdict.OK);
    }

    @Test
    void shouldCountRepeatWhenValueGoesBackButCounterAdvances() {
        assertThat(checkLines(Protocol.LINE, "1 5", "2 6", "3 6", "4 7"))
                .containsExactly(Verdict.OK, Verdict.OK, Verdict.REPEATED, Verdict.OK);
    }

    @Test
    void shouldCountCorruptedOnceWhenOneReplyIsDamaged() {
        assertThat(checkLines(Protocol.LINE, "1 1", "2 2x", "3 3", "4\t4", "5 5"))
                .containsExactly(Verdict.OK, Verdict.CORRUPTED, Verdict.OK, Verdict.CORRUPTED, Verdict.OK);
    }

    @Test
    void shouldTreatCarriageReturnAsCorruptionWhenProtocolIsLine() {
        assertThat(checkLines(Protocol.LINE, "1 1\r")).containsExactly(Verdict.CORRUPTED);
    }

    @Test
    void shouldKeepValueAndAdvanceCounterWhenServerRepliesErr() {
        assertThat(checkLines(Protocol.LINE, "1 1", "2 ERR busy", "3 2", "4 ERR"))
                .containsExactly(Verdict.OK, Verdict.ERROR, Verdict.OK, Verdict.ERROR);
    }

    @Test
    void shouldCheckOnlyValuesWhenProtocolIsResp() {
        assertThat(checkLines(Protocol.RESP, ":7\r", ":8\r", ":10\r", ":10\r", "-ERR no\r", ":11\r", ":12", "+OK\r"))
                .containsExactly(
                        Verdict.OK,
                        Verdict.OK,
                        Verdict.SKIPPED,
                        Verdict.REPEATED,
                        Verdict.ERROR,
                        Verdict.OK,
                        Verdict.CORRUPTED,
                        Verdict.CORRUPTED);
    }

    @Test
    void shouldCheckOnlyCountersAndCountErrorAsOneRequestWhenRepliesCarryNoValue() {
        final List<Verdict> verdicts = new ArrayList<>();
        for (final ParsedReply reply : List.of(
                ParsedReply.counter(1),
                ParsedReply.counter(2),
                ParsedReply.error(ParsedReply.NO_COUNTER, "HTTP status 500"),
                ParsedReply.counter(4),
                ParsedReply.counter(6),
                ParsedReply.counter(6),
                ParsedReply.corrupt("HTTP body whose first line is not a request counter"),
                ParsedReply.counter(8))) {
            verdicts.add(checker.check(reply));
        }

        assertThat(verdicts)
                .containsExactly(
                        Verdict.OK,
                        Verdict.OK,
                        Verdict.ERROR,
                        Verdict.OK,
                        Verdict.SKIPPED,
                        Verdict.REPEATED,
                        Verdict.CORRUPTED,
                        Verdict.OK);
    }

    @Test
    void shouldExpectOneFirstWhenMemcachedSetTheKeyToZero() throws Exception {
        checker.onKeySet(Protocol.MEMCACHED.parseSetupReply("lg-1", "STORED\r"));

        assertThat(checkLines(Protocol.MEMCACHED, "1\r", "2\r", "3\r")).containsOnly(Verdict.OK);
    }

    @Test
    void shouldReportSkipWhenFirstMemcachedValueIsNotOneAfterTheSet() {
        checker.onKeySet(0);

        assertThat(checkLines(Protocol.MEMCACHED, "2\r", "3\r")).containsExactly(Verdict.SKIPPED, Verdict.OK);
    }

    @Test
    void shouldCheckMemcachedValuesAsRespWhenRepliesSkipRepeatFailOrBreak() {
        checker.onKeySet(0);

        assertThat(checkLines(
                        Protocol.MEMCACHED,
                        "1\r",
                        "2\r",
                        "NOT_FOUND\r",
                        "3\r",
                        "3\r",
                        "5\r",
                        "SERVER_ERROR busy\r",
                        "5x\r",
                        "7\r"))
                .containsExactly(
                        Verdict.OK,
                        Verdict.OK,
                        Verdict.ERROR,
                        Verdict.OK,
                        Verdict.REPEATED,
                        Verdict.SKIPPED,
                        Verdict.ERROR,
                        Verdict.CORRUPTED,
                        Verdict.OK);
    }

    @Test
    void shouldReportCorruptedWhenValueOverflowsLong() {
        assertThat(checkLines(Protocol.LINE, "1 9999999999999999999")).containsExactly(Verdict.CORRUPTED);
    }

    private List<Verdict> checkLines(final Protocol protocol, final String... lines) {
        final List<Verdict> verdicts = new ArrayList<>();
        for (final String line : lines) {
            verdicts.add(checker.check(protocol.parse(line)));
        }
        return verdicts;
    }
}
