package io.understudy.admin.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AnnouncementTest {
    @Test
    void shouldReadBackWhatItWrote() {
        final byte[] bytes = new Announcement("PRIMARY", 42).bytes();
        assertThat(new String(bytes, StandardCharsets.US_ASCII)).isEqualTo("understudy-role 1 PRIMARY 42");
        assertThat(Announcement.parse(bytes, 0, bytes.length)).contains(new Announcement("PRIMARY", 42));
    }

    @Test
    void shouldRefuseWhatIsNotAnAnnouncement() {
        for (final String text : new String[] {
            "",
            "understudy-role 2 PRIMARY 1",
            "understudy-role 1 primary 1",
            "understudy-role 1 PRIMARY -1",
            "understudy-role 1 PRIMARY 99999999999999999999",
            "understudy-role 1 PRIMARY 1 extra",
            "hello",
            "understudy-role 1  1"
        }) {
            final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            assertThat(Announcement.parse(bytes, 0, bytes.length)).as(text).isEmpty();
        }
        assertThat(Announcement.parse(new byte[4], 2, 8)).isEmpty();
        assertThat(Announcement.parse(new byte[500], 0, 500)).isEmpty();
    }
}
