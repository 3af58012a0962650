package io.understudy.admin.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What a node tells its peer every heartbeat interval and on every view change: its role state and its epoch, as one
 * line of text ("understudy-role 1 PRIMARY 7"). It travels on the pair's channel, so it is authenticated and
 * encrypted like the heartbeat; a malformed one is refused by {@link #parse}, never trusted.
 *
 * @param state the role state's name, upper case letters and '_' only.
 * @param epoch the node's epoch, not negative.
 */
public record Announcement(String state, long epoch) {
    private static final String MAGIC = "understudy-role";
    private static final int VERSION = 1;
    private static final int MAX_BYTES = 128;

    public Announcement {
        if (!state.matches("[A-Z_]{1,32}") || epoch < 0) {
            throw new IllegalArgumentException("not an announcement: state=" + state + ", epoch=" + epoch);
        }
    }

    public byte[] bytes() {
        return (MAGIC + " " + VERSION + " " + state + " " + epoch).getBytes(StandardCharsets.US_ASCII);
    }

    /** The announcement in these bytes; empty when they are not one (wrong magic or version, malformed, too long). */
    public static Optional<Announcement> parse(final byte[] buffer, final int offset, final int length) {
        if (buffer == null || length <= 0 || length > MAX_BYTES || offset < 0 || offset + length > buffer.length) {
            return Optional.empty();
        }
        final String[] words = new String(buffer, offset, length, StandardCharsets.US_ASCII).split(" ", -1);
        if (words.length != 4
                || !MAGIC.equals(words[0])
                || !Integer.toString(VERSION).equals(words[1])
                || !words[3].matches("[0-9]{1,18}")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Announcement(words[2], Long.parseLong(words[3])));
        } catch (final IllegalArgumentException ex) {
            return Optional.empty();
        }
    }
}
