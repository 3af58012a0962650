package io.understudy.admin.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The ARP probe of the service address that a takeover starts with the fence answers for the claim only when it
 * found the address free and is not older than one probe's wait at the fence's end; otherwise the address is probed
 * again after the fence.
 */
class AddressProbeDuringFenceTest {
    private static final long WAIT_NS = 50_000_000L;
    private static final long FENCED_NS = 1_000_000_000L;

    @Test
    void shouldCountAFreeAddressHeardUntilAboutTheFencesEnd() {
        assertThat(Node.probeDuringFenceCounts(Optional.empty(), FENCED_NS + 30_000_000L, FENCED_NS, WAIT_NS))
                .as("the probe ended after the fence (a fast fence): its window reaches past the cut")
                .isTrue();
        assertThat(Node.probeDuringFenceCounts(Optional.empty(), FENCED_NS - WAIT_NS, FENCED_NS, WAIT_NS))
                .as("ended one wait before the fence did")
                .isTrue();
    }

    @Test
    void shouldProbeAgainAfterAHolderAnsweredOrWhenTheFenceTookLonger() {
        assertThat(Node.probeDuringFenceCounts(Optional.of("02:00:00:00:00:01"), FENCED_NS, FENCED_NS, WAIT_NS))
                .as("a primary that only looked dead answers ARP until it is fenced")
                .isFalse();
        assertThat(Node.probeDuringFenceCounts(Optional.empty(), FENCED_NS - WAIT_NS - 1, FENCED_NS, WAIT_NS))
                .as("a fence that took longer: the free answer is older than the claim may trust")
                .isFalse();
        assertThat(Node.probeDuringFenceCounts(Optional.empty(), FENCED_NS - 3_000_000_000L, FENCED_NS, WAIT_NS))
                .as("an IPMI fence of seconds")
                .isFalse();
    }
}
