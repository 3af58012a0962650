package io.understudy.logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogRecordTest {
    @Test
    void shouldKeepItsBytesWhenCallerChangesTheirArrays() {
        final byte[] original = "abc".getBytes(StandardCharsets.US_ASCII);
        final StreamData data = new StreamData(1, 0, Direction.CLIENT_TO_SERVER, 0, original);

        original[0] = 'X';
        data.bytes()[1] = 'Y';

        assertThat(data.bytes()).containsExactly('a', 'b', 'c');
        assertThat(data.length()).isEqualTo(3);
        assertThat(data.endOffset()).isEqualTo(3);
    }

    @Test
    void shouldCompareBytesByContentWhenEqualsCalled() {
        final StreamData one = Samples.data(1, 5, "same");
        final StreamData two = Samples.data(1, 5, "same");
        final StreamData other = Samples.data(1, 5, "diff");

        assertThat(one).isEqualTo(two).hasSameHashCodeAs(two).isNotEqualTo(other);
        assertThat(one.toString()).contains("length=4").doesNotContain("[B@");
    }

    @Test
    void shouldRejectOutOfRangeFieldsWhenBuilt() {
        assertThatThrownBy(() -> new ConnectionOpened(1, 0, 0, 65_536, 0, 80, true, 0, 0, 1460, 7, 7, true, true))
                .isExactlyInstanceOf(UnderstudyException.class)
                .hasMessage("clientPort=65536, expected 0..65535");
        assertThatThrownBy(() -> new ConnectionOpened(1, 0, 0, 1, 0, 80, true, 1L << 32, 0, 1460, 7, 7, true, true))
                .hasMessage("clientIsn=4294967296, expected -1 (unknown) or 0..4294967295");
        assertThatThrownBy(() -> new ConnectionOpened(1, 0, 0, 1, 0, 80, true, 0, -2, 1460, 7, 7, true, true))
                .hasMessage("serverIsn=-2, expected -1 (unknown) or 0..4294967295");
        assertThatThrownBy(() -> new ConnectionOpened(1, 0, 0, 1, 0, 80, true, 0, 0, 1460, 7, 15, true, true))
                .hasMessage("serverWindowScale=15, expected -1 (unknown) or 0..14");
        assertThatThrownBy(() -> new StreamData(1, 0, Direction.CLIENT_TO_SERVER, -1, new byte[0]))
                .hasMessage("streamOffset=-1, expected 0..9223372036854775807");
        assertThatThrownBy(() -> new StreamData(1, 0, null, 0, new byte[0]))
                .hasMessage("direction=null, expected a value");
        final byte[] tooLong = new byte[StreamData.MAX_LENGTH + 1];
        assertThatThrownBy(() -> new StreamData(1, 0, Direction.CLIENT_TO_SERVER, 0, tooLong))
                .hasMessage("bytes.length=1048577, expected 0..1048576");
        assertThatThrownBy(() -> new StreamAcked(1, 0, Direction.SERVER_TO_CLIENT, 0, 1L << 32, 0))
                .hasMessage("rawAck=4294967296, expected 0..4294967295");
        assertThatThrownBy(() -> new StreamAcked(1, 0, Direction.SERVER_TO_CLIENT, 0, 0, StreamAcked.MAX_WINDOW + 1))
                .hasMessage("window=1073725441, expected 0..1073725440");
        assertThatThrownBy(() -> new ConnectionClosed(1, 0, CloseReason.RESET, "\u00e9".repeat(513)))
                .hasMessage("detail.utf8Length=1026, expected 0..1024");
    }

    @Test
    void shouldKeepItsBytesWhenCallerChangesPrimaryReadArrays() {
        final byte[] original = "abc".getBytes(StandardCharsets.US_ASCII);
        final PrimaryRead read = new PrimaryRead(1, 0, 1, 10, original);

        original[0] = 'X';
        read.bytes()[1] = 'Y';

        assertThat(read.bytes()).containsExactly('a', 'b', 'c');
        assertThat(read.length()).isEqualTo(3);
        assertThat(read.endOffset()).isEqualTo(13);
        assertThat(read)
                .isEqualTo(new PrimaryRead(1, 0, 1, 10, new byte[] {'a', 'b', 'c'}))
                .isNotEqualTo(new PrimaryRead(1, 0, 1, 10, new byte[] {'a', 'b', 'd'}));
        assertThat(read.toString()).contains("length=3").doesNotContain("[B@");
        assertThat(new PrimaryWrite(1, 0, 1, 10, 5).endOffset()).isEqualTo(15);
    }

    @Test
    void shouldRejectOutOfRangePrimaryFieldsWhenBuilt() {
        assertThatThrownBy(() -> new PrimaryRead(1, 0, 0, 0, new byte[0]))
                .isExactlyInstanceOf(UnderstudyException.class)
                .hasMessage("seq=0, expected 1..9223372036854775807");
        assertThatThrownBy(() -> new PrimaryRead(1, 0, 1, -1, new byte[0]))
                .hasMessage("streamOffset=-1, expected 0..9223372036854775807");
        assertThatThrownBy(() -> new PrimaryRead(1, 0, 1, Long.MAX_VALUE, new byte[1]))
                .hasMessage("streamOffset=9223372036854775807, expected 0..9223372036854775806");
        assertThatThrownBy(() -> new PrimaryRead(1, 0, 1, 0, null)).hasMessage("bytes=null, expected a value");
        final byte[] tooLong = new byte[StreamData.MAX_LENGTH + 1];
        assertThatThrownBy(() -> new PrimaryRead(1, 0, 1, 0, tooLong))
                .hasMessage("bytes.length=1048577, expected 0..1048576");
        assertThatThrownBy(() -> new PrimaryWrite(1, 0, -5, 0, 0))
                .hasMessage("seq=-5, expected 1..9223372036854775807");
        assertThatThrownBy(() -> new PrimaryWrite(1, 0, 1, 0, -1)).hasMessage("length=-1, expected 0..2147483647");
        assertThatThrownBy(() -> new PrimaryWrite(1, 0, 1, -1, 0))
                .hasMessage("streamOffset=-1, expected 0..9223372036854775807");
        assertThatThrownBy(() -> new PrimaryWrite(1, 0, 1, Long.MAX_VALUE - 1, 2))
                .hasMessage("streamOffset=9223372036854775806, expected 0..9223372036854775805");
        assertThatThrownBy(() -> new SequenceMapping(1, 0, 2, 1L << 32, 0))
                .hasMessage("clientIsn=4294967296, expected 0..4294967295");
        assertThatThrownBy(() -> new SequenceMapping(1, 0, 2, 0, -1))
                .hasMessage("serverIsn=-1, expected 0..4294967295");
        assertThatThrownBy(() -> new PrimaryOpened(1, 0, 0, 0, 1, 0, 1))
                .hasMessage("seq=0, expected 1..9223372036854775807");
        assertThatThrownBy(() -> new PrimaryOpened(1, 0, 1, 0, 65_536, 0, 1))
                .hasMessage("clientPort=65536, expected 0..65535");
        assertThatThrownBy(() -> new PrimaryOpened(1, 0, 1, 0, 1, 0, -1))
                .hasMessage("serverPort=-1, expected 0..65535");
        assertThatThrownBy(() -> new PrimaryEnded(1, 0, 0, EndKind.CLOSED, -1))
                .hasMessage("seq=0, expected 1..9223372036854775807");
        assertThatThrownBy(() -> new PrimaryEnded(1, 0, 1, null, -1)).hasMessage("kind=null, expected a value");
        assertThatThrownBy(() -> new PrimaryEnded(1, 0, 1, EndKind.APP_FIN, -2))
                .hasMessage("streamOffset=-2, expected -1 (unknown) or 0..9223372036854775807");
    }
}
