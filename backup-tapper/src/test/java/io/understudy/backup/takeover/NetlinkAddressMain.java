package io.understudy.backup.takeover;

import java.util.List;

/**
 * Runs {@link NetlinkAddress#add} for a claim command given as arguments, in a JVM of its own, so that
 * {@link NetlinkAddressTest} can run it inside a network namespace of its own (ip netns exec).
 */
public final class NetlinkAddressMain {
    private NetlinkAddressMain() {}

    public static void main(final String[] args) throws Exception {
        final NetlinkAddress.Request request = NetlinkAddress.parse(List.of(args))
                .orElseThrow(() -> new IllegalArgumentException("not an ip addr add command: " + List.of(args)));
        NetlinkAddress.add(request);
        System.out.println("added");
    }
}
