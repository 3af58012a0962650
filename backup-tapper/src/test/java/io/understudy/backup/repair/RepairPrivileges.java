package io.understudy.backup.repair;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;

/**
 * TCP_REPAIR needs CAP_NET_ADMIN. Tests that need it call {@link #require()}: without the capability they are
 * skipped on a developer machine, but fail when CI=true, so CI can never pass by skipping them.
 */
public final class RepairPrivileges {
    private RepairPrivileges() {}

    public static void require() throws IOException {
        final String problem = problem();
        if (problem == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true and TCP_REPAIR is unavailable (run the build as root): " + problem);
        }
        assumeTrue(false, "TCP_REPAIR unavailable, skipped (set CI=true to make this a failure): " + problem);
    }

    private static String problem() throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.INET)) {
            TcpRepair.enterRepair(channel);
            TcpRepair.setTransparent(channel, true);
            return null;
        } catch (final TcpRepairException ex) {
            if (ex.isPermissionDenied() || ex.errno() == 0) {
                return ex.getMessage();
            }
            throw ex;
        }
    }
}
