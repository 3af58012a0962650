package io.understudy.ops.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The exact request bytes of every protocol, and how reply lines decode. */
final class ProtocolTest {
    @Test
    void shouldEncodeIncrAsOneLineWhenProtocolIsLine() {
        assertThat(new String(Protocol.LINE.request("h", "lg-1"), StandardCharsets.ISO_8859_1))
                .isEqualTo("INCR lg-1\n");
    }

    @Test
    void shouldEncodeIncrAsRespArrayWhenProtocolIsResp() {
        assertThat(new String(Protocol.RESP.request("h", "lg-12"), StandardCharsets.ISO_8859_1))
                .isEqualTo("*2\r\n$4\r\nINCR\r\n$5\r\nlg-12\r\n");
    }

    @Test
    void shouldEncodeGetWithHostWhenProtocolIsHttp() {
        assertThat(new String(Protocol.HTTP.request("198.18.0.5", "lg-3"), StandardCharsets.ISO_8859_1))
                .isEqualTo("GET /lg-3 HTTP/1.1\r\nHost: 198.18.0.5\r\n\r\n");
        assertThat(new String(Protocol.HTTP.request("fd00::5", "k"), StandardCharsets.ISO_8859_1))
                .isEqualTo("GET /k HTTP/1.1\r\nHost: [fd00::5]\r\n\r\n");
    }

    @Test
    void shouldKeepCounterAndValueWhenLineReplyParses() {
        assertThat(Protocol.LINE.parse("12 -3")).isEqualTo(ParsedReply.value(12, -3));
        assertThat(Protocol.RESP.parse(":5\r")).isEqualTo(ParsedReply.value(ParsedReply.NO_COUNTER, 5));
    }

    @Test
    void shouldSetTheKeyToZeroOnceThenIncrWhenProtocolIsMemcached() {
        assertThat(new String(Protocol.MEMCACHED.setupRequest("lg-7"), StandardCharsets.ISO_8859_1))
                .isEqualTo("set lg-7 0 0 1\r\n0\r\n");
        assertThat(new String(Protocol.MEMCACHED.request("198.18.0.5", "lg-7"), StandardCharsets.ISO_8859_1))
                .isEqualTo("incr lg-7 1\r\n");
        assertThat(Protocol.RESP.setupRequest("lg-7"))
                .as("resp sends nothing before INCR")
                .isEmpty();
    }

    @Test
    void shouldTakeTheNewValueWhenMemcachedReplyIsDigitsAndCrLf() throws Exception {
        assertThat(Protocol.MEMCACHED.parseSetupReply("lg-7", "STORED\r")).isZero();
        assertThat(Protocol.MEMCACHED.parse("1\r")).isEqualTo(ParsedReply.value(ParsedReply.NO_COUNTER, 1));
        assertThat(Protocol.MEMCACHED.parse("4096\r")).isEqualTo(ParsedReply.value(ParsedReply.NO_COUNTER, 4096));
    }

    @Test
    void shouldReportErrorNamingTheReplyWhenMemcachedAnswersWithAnErrorLine() {
        assertThat(Protocol.MEMCACHED.parse("NOT_FOUND\r"))
                .isEqualTo(ParsedReply.error(ParsedReply.NO_COUNTER, "'NOT_FOUND'"));
        assertThat(Protocol.MEMCACHED.parse("ERROR\r")).isEqualTo(ParsedReply.error(ParsedReply.NO_COUNTER, "'ERROR'"));
        assertThat(Protocol.MEMCACHED.parse("CLIENT_ERROR cannot increment or decrement non-numeric value\r"))
                .isEqualTo(ParsedReply.error(
                        ParsedReply.NO_COUNTER, "'CLIENT_ERROR cannot increment or decrement non-numeric value'"));
        assertThat(Protocol.MEMCACHED.parse("SERVER_ERROR out of memory\r"))
                .isEqualTo(ParsedReply.error(ParsedReply.NO_COUNTER, "'SERVER_ERROR out of memory'"));
    }

    @Test
    void shouldReportCorruptWhenMemcachedReplyIsNotExactlyAValueOrAnError() {
        for (final String line : new String[] {
            "1",
            "01\r",
            "+1\r",
            "-1\r",
            " 1\r",
            "1 \r",
            "1\r\r",
            "STORED\r",
            "NOT_FOUND",
            "not_found\r",
            "ERRORS\r",
            "9223372036854775808\r",
            "18446744073709551615\r"
        }) {
            assertThat(Protocol.MEMCACHED.parse(line))
                    .as("reply line %s", ParsedReply.quoted(line))
                    .isEqualTo(ParsedReply.corrupt(ParsedReply.quoted(line)));
        }
        assertThat(Protocol.MEMCACHED.parse("4x\r").description()).isEqualTo("'4x\\r'");
    }

    @Test
    void shouldRefuseTheConnectionNamingTheReplyWhenMemcachedDoesNotStoreTheKey() {
        assertThatThrownBy(
                        () -> Protocol.MEMCACHED.parseSetupReply("lg-7", "SERVER_ERROR out of memory storing object\r"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("memcached did not set key lg-7 to 0 before the first incr: it answered "
                        + "'SERVER_ERROR out of memory storing object\\r', expected 'STORED\\r'");
        assertThatThrownBy(() -> Protocol.MEMCACHED.parseSetupReply("lg-7", "STORED"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("answered 'STORED',");
    }
}
