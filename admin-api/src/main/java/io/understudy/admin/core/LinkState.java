package io.understudy.admin.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether an interface has carrier now, from /sys/class/net/IF/carrier ("1"; the file cannot be read while the
 * interface is administratively down). A backup whose own link is down is cut off: the primary's silence is not the
 * primary's fault, and it must not take over; a primary whose link comes back announces its address again.
 */
final class LinkState {
    private LinkState() {}

    /** True when IF has carrier; false when it has none, is down, or does not exist. */
    static boolean hasCarrier(final String interfaceName) {
        if (interfaceName.isBlank() || interfaceName.contains("/") || interfaceName.startsWith(".")) {
            return false;
        }
        try {
            return "1"
                    .equals(Files.readString(Path.of("/sys/class/net", interfaceName, "carrier"))
                            .strip());
        } catch (final IOException ex) {
            return false;
        }
    }
}
