package io.understudy.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.logger.LogAuth;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The VIP's interface is the tap's unless named, and naming it changes nothing else. */
class TapConfigTest {
    private static TapConfig hot() {
        return new TapConfig(
                "n1", "mirror0", "198.18.0.100", Set.of(7070), 2048, 1 << 20, TapConfig.TrackerLimits.defaults(), null);
    }

    @Test
    void shouldCarryTheVipOnTheTapsInterfaceWhenNoneIsNamed() {
        final TapConfig withReadLog = new TapConfig(
                "n1",
                "mirror0",
                "198.18.0.100",
                Set.of(7070),
                2048,
                1 << 20,
                TapConfig.TrackerLimits.defaults(),
                null,
                false,
                null,
                LogAuth.INSECURE);

        assertThat(hot().serviceInterface()).isEqualTo("mirror0");
        assertThat(withReadLog.serviceInterface()).isEqualTo("mirror0");
        assertThat(hot().hasSeparateServiceInterface()).isFalse();
    }

    @Test
    void shouldChangeOnlyTheServiceInterfaceWhenOneIsNamed() {
        final TapConfig named = hot().withServiceInterface("eth1");

        assertThat(named.serviceInterface()).isEqualTo("eth1");
        assertThat(named.hasSeparateServiceInterface()).isTrue();
        assertThat(named.withServiceInterface("mirror0")).isEqualTo(hot());
    }

    @Test
    void shouldRejectABlankServiceInterface() {
        assertThatThrownBy(() -> hot().withServiceInterface(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("serviceInterface=' '");
    }
}
