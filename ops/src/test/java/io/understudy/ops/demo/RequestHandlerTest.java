package io.understudy.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The demo protocol's commands without sockets. */
final class RequestHandlerTest {
    private final ServerCounters counters = new ServerCounters();
    private final RequestHandler handler = new RequestHandler(new KeyValueStore(), counters);

    @Test
    void shouldRefuseAndKeepValueWhenIncrementWouldOverflow() {
        handler.handle("SET big " + Long.MAX_VALUE);

        assertThat(handler.handle("INCR big")).isEqualTo(Reply.error("increment would overflow"));
        assertThat(handler.handle("GET big")).isEqualTo(Reply.ok(Long.toString(Long.MAX_VALUE)));
    }

    @Test
    void shouldListEveryKeySortedAndDeleteOne() {
        assertThat(handler.handle("KEYS")).isEqualTo(Reply.ok(""));
        handler.handle("INCR b");
        handler.handle("SET a x y");

        assertThat(handler.handle("KEYS")).isEqualTo(Reply.ok("a b"));
        assertThat(handler.handle("DEL a")).isEqualTo(Reply.ok("1"));
        assertThat(handler.handle("DEL a")).isEqualTo(Reply.ok("0"));
        assertThat(handler.handle("KEYS")).isEqualTo(Reply.ok("b"));
        assertThat(handler.handle("KEYS b")).isEqualTo(Reply.error("wrong number of arguments for 'KEYS'"));
        assertThat(handler.handle("DEL")).isEqualTo(Reply.error("wrong number of arguments for 'DEL'"));
    }

    @Test
    void shouldCountFromZeroWhenIncrementingMissingKey() {
        assertThat(handler.handle("INCR fresh")).isEqualTo(Reply.ok("1"));
        assertThat(handler.handle("INCR fresh")).isEqualTo(Reply.ok("2"));
    }

    @Test
    void shouldStoreEmptyValueWhenSetEndsAfterKeySpace() {
        assertThat(handler.handle("SET k ")).isEqualTo(Reply.ok("OK"));
        assertThat(handler.handle("GET k")).isEqualTo(Reply.ok(""));
        assertThat(handler.handle("APPEND k ab")).isEqualTo(Reply.ok("2"));
    }

    @Test
    void shouldAnswerSleepAfterThatLongAndRefuseAnythingButMillisecondsInRange() {
        final long startNs = System.nanoTime();
        assertThat(handler.handle("SLEEP 30")).isEqualTo(Reply.ok("slept 30"));
        assertThat(System.nanoTime() - startNs).as("held the reply").isGreaterThanOrEqualTo(30_000_000L);
        final Reply refused = Reply.error("SLEEP takes milliseconds, 0 to 60000");
        assertThat(handler.handle("SLEEP soon")).isEqualTo(refused);
        assertThat(handler.handle("SLEEP -1")).isEqualTo(refused);
        assertThat(handler.handle("SLEEP 60001")).isEqualTo(refused);
        assertThat(handler.handle("SLEEP")).isEqualTo(Reply.error("wrong number of arguments for 'SLEEP'"));
    }

    @Test
    void shouldRejectWhenKeyIsEmptyOrFollowedByMoreWords() {
        assertThat(handler.handle("GET  k")).isEqualTo(Reply.error("wrong number of arguments for 'GET'"));
        assertThat(handler.handle("INCR a b")).isEqualTo(Reply.error("wrong number of arguments for 'INCR'"));
        assertThat(handler.handle("SET  v")).isEqualTo(Reply.error("wrong number of arguments for 'SET'"));
        assertThat(handler.handle("")).isEqualTo(Reply.error("empty request"));
    }

    @Test
    void shouldCloseOrAbortWhenQuitOrReset() {
        assertThat(handler.handle("QUIT")).isEqualTo(new Reply("BYE", Reply.AfterReply.CLOSE));
        assertThat(handler.handle("RESET").after()).isEqualTo(Reply.AfterReply.ABORT);
        assertThat(handler.handle("RESET now")).isEqualTo(Reply.error("wrong number of arguments for 'RESET'"));
    }

    @Test
    void shouldReportCountersWhenStats() {
        counters.onAccepted();
        counters.onAccepted();
        counters.onClosed(true);

        assertThat(handler.handle("STATS")).isEqualTo(Reply.ok("connections=1 accepted=2 resets=1"));
    }
}
