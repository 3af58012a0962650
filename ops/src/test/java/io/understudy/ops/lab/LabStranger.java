package io.understudy.ops.lab;

import io.understudy.admin.cluster.Membership;
import io.understudy.admin.cluster.MembershipConfig;
import io.understudy.admin.cluster.MembershipListener;
import io.understudy.logger.LogAuth;
import io.understudy.logger.LogShipper;
import io.understudy.logger.PrimaryWrite;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;

/**
 * A stranger on the lab's LAN, run in the client host by the system tests: the right cluster name and wire formats,
 * but not the pair's secret. Prints what it got and, last, "END joined=N acked=N" (members it ever saw besides
 * itself, records the logger acknowledged).
 * Usage: LabStranger BIND_ADDRESS PEER:PORT LOGGER_HOST:PORT DURATION_S (PEER: the pair node it tries to join)
 */
public final class LabStranger {
    private LabStranger() {}

    public static void main(final String[] args) throws Exception {
        final String bind = args[0];
        final List<String> peers = List.of(args[1], bind + ":7800");
        final String[] logger = args[2].split(":");
        final long durationMs = Long.parseLong(args[3]) * 1000;
        final byte[] wrongKey = new byte[LogAuth.KEY_BYTES];
        new SecureRandom().nextBytes(wrongKey);
        final int[] seen = new int[1];
        final long[] acks = new long[1];
        final MembershipListener listener = new MembershipListener() {
            @Override
            public void onViewChanged(final io.understudy.admin.cluster.MembershipView view) {
                System.out.println("stranger view " + view.members());
                seen[0] = Math.max(seen[0], view.members().size() - 1);
            }
        };
        try (Membership membership = Membership.start(MembershipConfig.insecure("stranger", bind, peers), listener);
                LogShipper writer = LogShipper.start(
                        "stranger",
                        new InetSocketAddress(logger[0], Integer.parseInt(logger[1])),
                        LogAuth.of(wrongKey),
                        1 << 20,
                        200,
                        () -> acks[0]++)) {
            final long deadline = System.currentTimeMillis() + durationMs;
            while (System.currentTimeMillis() < deadline) {
                writer.ship(new PrimaryWrite(1, 0, writer.nextSeq(), 0, 1));
                Thread.sleep(200);
            }
            System.out.println("stranger writer " + writer.stats());
        }
        System.out.println("END joined=" + seen[0] + " acked=" + acks[0]);
    }
}
