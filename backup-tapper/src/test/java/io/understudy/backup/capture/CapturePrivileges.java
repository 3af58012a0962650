package io.understudy.backup.capture;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import org.pcap4j.core.PcapHandle;

/**
 * Live capture on the loopback interface needs CAP_NET_RAW. Tests that need it call {@link #require()}: without it
 * they are skipped on a developer machine, but fail when CI=true, so CI can never pass by skipping them.
 */
public final class CapturePrivileges {
    private CapturePrivileges() {}

    public static void require() {
        try (PcapHandle ignored = ArpCapture.openArp("lo")) {
            return;
        } catch (final IOException ex) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true and capture on lo is unavailable (run the build as root): " + ex.getMessage());
            }
            assumeTrue(
                    false,
                    "capture on lo unavailable, skipped (set CI=true to make this a failure): " + ex.getMessage());
        }
    }
}
