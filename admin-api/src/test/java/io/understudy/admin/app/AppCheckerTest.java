package io.understudy.admin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The check loop against a stand-in app that stops answering: one hung report per streak, with the reason. */
@Timeout(30)
class AppCheckerTest {
    private static final long WAIT_MS = 10_000;
    /** Beyond failures x (timeout + interval): a loaded two-core machine may be slow to schedule the thread. */
    private static final long MARGIN_MS = 2_000;

    @Test
    void shouldReportHungOnceWhenTheAppStopsAnswering() throws Exception {
        final AppCheckSettings settings = CheckSettings.check(
                Map.of("send", "PING\r\n", "expect", "+PONG\r\n", "intervalMs", 50, "timeoutMs", 100, "failures", 3));
        final List<String> reasons = new CopyOnWriteArrayList<>();
        try (ReplyServer app = new ReplyServer("+PONG\r\n");
                AppChecker checker = AppChecker.start("n1", settings, app.address(), reasons::add)) {
            awaitTrue(() -> checker.health().lastDetail().startsWith("reply"));
            assertThat(checker.health().hung()).isFalse();

            app.reply(null);
            awaitTrue(() -> !reasons.isEmpty(), 3 * (100 + 50) + MARGIN_MS);
            awaitTrue(() -> checker.health().failuresInRow() >= 5);

            assertThat(reasons)
                    .containsExactly("app check failed 3 times in a row: no reply within 100 ms (tcp "
                            + ListenerOwner.text(app.address()) + ")");
            assertThat(checker.health().hung()).isTrue();
            assertThat(checker.health().lastDetail()).isEqualTo("no reply within 100 ms");

            app.reply("+PONG\r\n");
            awaitTrue(() -> !checker.health().hung());
            app.reply(null);
            awaitTrue(() -> reasons.size() == 2);
        }
    }

    @Test
    void shouldStartNoThreadWhenTypeIsNone() throws Exception {
        final AppCheckSettings settings = CheckSettings.check(Map.of("type", "none"));

        try (AppChecker checker = AppChecker.start("n1", settings, AppCheckTest.closedPort(), reason -> {})) {
            assertThat(Thread.getAllStackTraces().keySet())
                    .noneMatch(t -> t.getName().equals("app-check-n1"));
            assertThat(checker.health()).isEqualTo(new AppChecker.Snapshot(false, 0, "no check", 0));
        }
    }

    private static void awaitTrue(final BooleanSupplier condition) throws InterruptedException {
        awaitTrue(condition, WAIT_MS);
    }

    private static void awaitTrue(final BooleanSupplier condition, final long waitMs) throws InterruptedException {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadlineNs)
                    .as("condition not met within %d ms", waitMs)
                    .isNegative();
            Thread.sleep(10);
        }
    }
}
