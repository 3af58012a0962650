package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The interval logic of {@link VipHolders} on synthetic changes and captured {@code ip} output: no namespaces, no
 * processes (not a lab test).
 */
class VipHoldersTest {
    private static final String VIP = "198.18.0.100";
    private static final Instant ORIGIN = Instant.parse("2030-01-01T00:00:00Z");

    private static VipHolders.Change change(final String host, final boolean holds, final long ms) {
        return new VipHolders.Change(host, holds, ms * 1_000_000L, ORIGIN.plusMillis(ms), VipHolders.MONITOR);
    }

    @Test
    void shouldFindNoOverlapWhenTheVipMovesCleanly() {
        final List<VipHolders.Change> changes = List.of(
                change("primary", true, 0), change("backup", false, 0),
                change("primary", false, 100), change("backup", true, 130));

        assertThat(VipHolders.overlaps(changes, 1_000_000_000L, ORIGIN.plusSeconds(1)))
                .isEmpty();
    }

    @Test
    void shouldFindTheIntervalWhenBothHoldTheVip() {
        final List<VipHolders.Change> changes = List.of(
                change("primary", true, 0), change("backup", false, 0),
                change("backup", true, 100), change("primary", false, 145),
                change("primary", true, 300), change("backup", false, 302));

        final List<VipHolders.Overlap> overlaps = VipHolders.overlaps(changes, 1_000_000_000L, ORIGIN.plusSeconds(1));

        assertThat(overlaps)
                .containsExactly(
                        new VipHolders.Overlap(
                                ORIGIN.plusMillis(100), ORIGIN.plusMillis(145), Duration.ofMillis(45), false),
                        new VipHolders.Overlap(
                                ORIGIN.plusMillis(300), ORIGIN.plusMillis(302), Duration.ofMillis(2), false));
    }

    @Test
    void shouldCloseAnOverlapStillGoingAtTheEndAsOngoing() {
        final List<VipHolders.Change> changes =
                List.of(change("primary", true, 0), change("backup", true, 50), change("backup", true, 60));

        assertThat(VipHolders.overlaps(changes, 80_000_000L, ORIGIN.plusMillis(80)))
                .containsExactly(new VipHolders.Overlap(
                        ORIGIN.plusMillis(50), ORIGIN.plusMillis(80), Duration.ofMillis(30), true));
    }

    @Test
    void shouldIgnoreARepeatedStateWhenCountingHolders() {
        final List<VipHolders.Change> changes = List.of(
                change("primary", true, 0),
                change("primary", true, 10),
                change("backup", false, 20),
                change("backup", false, 30));

        assertThat(VipHolders.overlaps(changes, 100_000_000L, ORIGIN.plusMillis(100)))
                .isEmpty();
    }

    @Test
    void shouldReadAddedAndDeletedVipFromMonitorLines() {
        assertThat(VipHolders.parseMonitorLine(
                        "2: eth0    inet 198.18.0.100/24 scope global secondary eth0", VIP, "eth0"))
                .contains(true);
        assertThat(VipHolders.parseMonitorLine(
                        "Deleted 2: eth0    inet 198.18.0.100/24 scope global secondary eth0", VIP, "eth0"))
                .contains(false);
        assertThat(VipHolders.parseMonitorLine("       valid_lft forever preferred_lft forever", VIP, "eth0"))
                .isEqualTo(Optional.empty());
        assertThat(VipHolders.parseMonitorLine("2: eth0    inet 198.18.0.2/24 scope global eth0", VIP, "eth0"))
                .isEmpty();
        assertThat(VipHolders.parseMonitorLine("1: lo    inet 198.18.0.100/32 scope host lo", VIP, "eth0"))
                .isEmpty();
        assertThat(VipHolders.parseMonitorLine("2: eth0    inet 198.18.0.1000/24 scope global eth0", VIP, "eth0"))
                .isEmpty();
    }

    @Test
    void shouldReadTheVipFromAddrShowOutput() {
        final String holder = "2: eth0    inet 198.18.0.2/24 scope global eth0\\       valid_lft forever\n"
                + "2: eth0    inet 198.18.0.100/24 scope global secondary eth0\\       valid_lft forever\n";
        final String other = "3: eth0    inet 198.18.0.3/24 scope global eth0\\       valid_lft forever\n";

        assertThat(VipHolders.holdsVip(holder, VIP, "eth0")).isTrue();
        assertThat(VipHolders.holdsVip(other, VIP, "eth0")).isFalse();
        assertThat(VipHolders.holdsVip("", VIP, "eth0")).isFalse();
    }

    @Test
    void shouldListEveryChangeWithTheHoldersInTheTimeline() {
        final List<String> timeline = VipHolders.timeline(
                List.of(change("primary", true, 0), change("backup", true, 12), change("primary", false, 20)));

        assertThat(timeline).hasSize(3);
        assertThat(timeline.get(1))
                .startsWith("+12.000 ms")
                .contains("backup holds the VIP (monitor)")
                .endsWith("holders: backup,primary");
        assertThat(timeline.get(2)).contains("primary does not hold").endsWith("holders: backup");
    }

    @Test
    void shouldNotCountAHostWhoseBridgePortIsDownAsAHolder() {
        // The fence takes the crashed primary's port down; its interface keeps the VIP until its runner is killed.
        final List<VipHolders.Change> changes = List.of(
                change("primary", true, 0),
                change("backup", false, 0),
                new VipHolders.Change(
                        "primary", false, 50_000_000L, ORIGIN.plusMillis(50), "link monitor", VipHolders.Aspect.LINK),
                change("backup", true, 140),
                change("primary", false, 165));

        assertThat(VipHolders.overlaps(changes, 1_000_000_000L, ORIGIN.plusSeconds(1)))
                .isEmpty();
        assertThat(VipHolders.timeline(changes))
                .anyMatch(line -> line.contains("primary port down (link monitor); holders: nobody"));

        // Its port back up while it still has the address: two holders from then.
        final List<VipHolders.Change> healed = new java.util.ArrayList<>(changes.subList(0, 4));
        healed.add(new VipHolders.Change(
                "primary", true, 200_000_000L, ORIGIN.plusMillis(200), "link monitor", VipHolders.Aspect.LINK));
        assertThat(VipHolders.overlaps(healed, 300_000_000L, ORIGIN.plusMillis(300)))
                .containsExactly(new VipHolders.Overlap(
                        ORIGIN.plusMillis(200), ORIGIN.plusMillis(300), Duration.ofMillis(100), true));
    }

    @Test
    void shouldReadABridgePortsStateFromIpLinkOutput() {
        final String down =
                "7: backup@if6: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue master br0 state DOWN group " + "default";
        final String up = "7: backup@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0 state "
                + "UP mode DEFAULT group default qlen 1000\\    link/ether 92:af:51:25:68:4a brd ff:ff:ff:ff:ff:ff";

        assertThat(VipHolders.parseLinkLine(down, "backup")).contains(false);
        assertThat(VipHolders.parseLinkLine(up, "backup")).contains(true);
        assertThat(VipHolders.parseLinkLine(up, "primary")).isEmpty();
        assertThat(VipHolders.parseLinkLine("    link/ether 92:af:51:25:68:4a brd ff:ff:ff:ff:ff:ff", "backup"))
                .isEmpty();
        assertThat(VipHolders.parseLinkLine("4: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500", "backup"))
                .isEmpty();
    }
}
