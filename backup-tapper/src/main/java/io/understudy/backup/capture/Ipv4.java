package io.understudy.backup.capture;

/**
 * Dotted IPv4 text to the int the decoder uses.
 */
public final class Ipv4 {
    private Ipv4() {}

    public static int ipv4(final String dotted) {
        final String[] parts = dotted.split("\\.");
        if (parts.length != 4) {
            throw new IllegalArgumentException("not a dotted IPv4 address: " + dotted);
        }
        int address = 0;
        for (final String part : parts) {
            final int value = Integer.parseInt(part);
            if (value < 0 || value > 255) {
                throw new IllegalArgumentException("not a dotted IPv4 address: " + dotted);
            }
            address = (address << 8) | value;
        }
        return address;
    }
}
