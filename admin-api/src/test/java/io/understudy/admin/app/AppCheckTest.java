package io.understudy.admin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One probe of a real stand-in app on loopback, and of real commands: what an operator reads when it fails. */
@Timeout(30)
class AppCheckTest {
    private static final Map<String, Object> REDIS_PING =
            Map.of("type", "tcp", "send", "PING\r\n", "expect", "+PONG\r\n", "timeoutMs", 400);

    @Test
    void shouldBeHealthyWhenTheAppAnswersPong() throws IOException {
        try (ReplyServer app = new ReplyServer("+PONG\r\n")) {
            final AppCheck.Result result =
                    AppCheck.of(CheckSettings.check(REDIS_PING), app.address()).run();

            assertThat(result.healthy()).as(result.detail()).isTrue();
            assertThat(result.detail()).isEqualTo("reply '+PONG\\r\\n'");
        }
    }

    @Test
    void shouldShowTheReplyWhenItIsNotTheExpectedOne() throws IOException {
        try (ReplyServer app = new ReplyServer("-ERR unknown command\r\n")) {
            final AppCheck.Result result =
                    AppCheck.of(CheckSettings.check(REDIS_PING), app.address()).run();

            assertThat(result.healthy()).isFalse();
            assertThat(result.detail()).startsWith("reply '-").endsWith("' does not start with '+PONG\\r\\n'");
            assertThat(result.latencyMs())
                    .as("a wrong first byte fails at once")
                    .isLessThan(400);
        }
    }

    @Test
    void shouldReportNoReplyWhenTheAppAcceptsButNeverAnswers() throws IOException {
        try (ReplyServer app = new ReplyServer(null)) {
            final AppCheck.Result result =
                    AppCheck.of(CheckSettings.check(REDIS_PING), app.address()).run();

            assertThat(result.healthy()).isFalse();
            assertThat(result.detail()).isEqualTo("no reply within 400 ms");
            assertThat(result.latencyMs()).isBetween(350L, 5_000L);
        }
    }

    @Test
    void shouldReportRefusedWhenNothingListens() throws IOException {
        final InetSocketAddress closed = closedPort();

        final AppCheck.Result result =
                AppCheck.of(CheckSettings.check(REDIS_PING), closed).run();

        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).isEqualTo("connect to 127.0.0.1:" + closed.getPort() + " refused");
    }

    @Test
    void shouldAcceptAnyReplyWhenExpectIsEmpty() throws IOException {
        try (ReplyServer app = new ReplyServer("whatever")) {
            final AppCheckSettings settings = CheckSettings.check(Map.of("send", "hello\n"));

            assertThat(AppCheck.of(settings, app.address()).run().healthy()).isTrue();
        }
    }

    @Test
    void shouldOnlyConnectWhenSendAndExpectAreEmpty() throws IOException {
        try (ReplyServer app = new ReplyServer(null)) {
            final AppCheck.Result result =
                    AppCheck.of(CheckSettings.check(Map.of()), app.address()).run();

            assertThat(result.healthy()).isTrue();
            assertThat(result.detail()).startsWith("connected to 127.0.0.1:");
        }
    }

    @Test
    void shouldBeHealthyWhenTheCommandExitsZero() {
        final AppCheck.Result result =
                command(List.of("sh", "-c", "echo PONG"), 2_000).run();

        assertThat(result.healthy()).isTrue();
        assertThat(result.detail()).isEqualTo("command exited 0: PONG");
    }

    @Test
    void shouldGiveTheExitCodeAndFirstLineWhenTheCommandFails() {
        final AppCheck.Result result = command(
                        List.of("sh", "-c", "echo 'Could not connect'; echo second; exit 1"), 2_000)
                .run();

        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).isEqualTo("command exited 1: Could not connect");
        assertThat(command(List.of("false"), 2_000).run().detail()).isEqualTo("command exited 1");
        assertThat(command(List.of("true"), 2_000).run().healthy()).isTrue();
    }

    @Test
    void shouldKillTheCommandWhenItOutlivesTheTimeout() {
        final AppCheck.Result result = command(List.of("sleep", "5"), 300).run();

        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).isEqualTo("command still running after 300 ms (killed)");
        assertThat(result.latencyMs()).isLessThan(3_000);
    }

    @Test
    void shouldSayWhyWhenTheCommandCannotStart() {
        final AppCheck.Result result =
                command(List.of("/nonexistent/redis-cli"), 300).run();

        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).startsWith("command [/nonexistent/redis-cli] cannot start");
    }

    @Test
    void shouldAlwaysBeHealthyWhenTypeIsNone() throws IOException {
        final AppCheck check = AppCheck.of(CheckSettings.check(Map.of("type", "none")), closedPort());

        assertThat(check.run()).isEqualTo(new AppCheck.Result(true, 0, "no check"));
    }

    @Test
    void shouldEscapeAndCutRepliesWhenShowingThem() {
        assertThat(AppCheck.printable("-ERR\r\n\u0001")).isEqualTo("-ERR\\r\\n\\x01");
        assertThat(AppCheck.printable("x".repeat(100))).isEqualTo("x".repeat(60) + "...");
    }

    private static AppCheck command(final List<String> command, final int timeoutMs) {
        return AppCheck.of(
                CheckSettings.check(Map.of("type", "command", "command", command, "timeoutMs", timeoutMs)),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 1));
    }

    static InetSocketAddress closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }
    }
}
