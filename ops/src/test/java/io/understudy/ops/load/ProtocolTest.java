package io.understudy.ops.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The exact request bytes of every protocol. */
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
}
