package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lab's side of app failures, as an operator uses it: {@code start --app-check-send/--app-check-expect} are
 * checked and reach both nodes with the app restart script and fault injection; {@code fail app-kill} kills the VIP
 * holder's app (its process group) and records the fail; the app restart script brings a new app up; heal clears the
 * fail. Nothing here needs the node to hand over (with or without it, the old app is gone and a new one answers).
 */
@Tag("lab")
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabAppFailCommandsTest {
    private static final String CHECK_SEND = "STATS\\n";
    private static final String CHECK_EXPECT = "1 connections=";

    @RegisterExtension
    static final LabExtension LAB = new LabExtension();

    @Test
    @Order(1)
    void shouldRefuseBadAppCheckValuesAndFailModesWithoutStartingAnything() {
        for (final String bad : List.of("say \"hi\"", "PING\\x", "PING\\", "two\nlines")) {
            final Lab.Result result = Lab.lab(
                    Duration.ofSeconds(30),
                    "start",
                    "--app",
                    "true",
                    "--app-port",
                    "7000",
                    "--service-port",
                    "7070",
                    "--app-check-send",
                    bad);
            assertThat(result.exitCode())
                    .as("--app-check-send %s: %s", bad, result)
                    .isEqualTo(2);
            assertThat(result.stderr()).contains("ops/lab: start: --app-check-send takes YAML double-quoted text");
        }
        final Lab.Result badExpect = Lab.lab(
                Duration.ofSeconds(30),
                "start",
                "--app",
                "true",
                "--app-port",
                "7000",
                "--service-port",
                "7070",
                "--app-check-expect",
                "\"+PONG\"");
        assertThat(badExpect.exitCode()).as("%s", badExpect).isEqualTo(2);
        assertThat(badExpect.stderr()).contains("--app-check-expect takes YAML double-quoted text");
        assertThat(Lab.status().get("app").isNull()).as("nothing started").isTrue();

        final Lab.Result withApp = Lab.lab(Duration.ofSeconds(30), "fail", "app-kill", "--with-app");
        assertThat(withApp.exitCode()).as("%s", withApp).isEqualTo(2);
        assertThat(withApp.stderr()).contains("fail app-kill: unknown argument '--with-app'");
        final Lab.Result unknown = Lab.lab(Duration.ofSeconds(30), "fail", "app-nap");
        assertThat(unknown.exitCode()).as("%s", unknown).isEqualTo(2);
        assertThat(unknown.stderr())
                .contains(
                        "unknown mode 'app-nap'", "app-kill, app-hang, relay-error, pause", "api-block primary|backup");
        final Lab.Result beforeStart = Lab.lab(Duration.ofSeconds(30), "fail", "app-hang");
        assertThat(beforeStart.exitCode()).as("%s", beforeStart).isEqualTo(1);
        assertThat(beforeStart.stderr()).contains("run ops/lab start first");
    }

    @Test
    @Order(2)
    void shouldGiveBothNodesTheAppCheckTheRestartScriptAndFaultInjection() {
        Lab.startDemoService("--app-check-send", CHECK_SEND, "--app-check-expect", CHECK_EXPECT);

        final JsonNode status = Lab.status();
        assertThat(status.at("/app_check/send").asText()).isEqualTo(CHECK_SEND);
        assertThat(status.at("/app_check/expect").asText()).isEqualTo(CHECK_EXPECT);
        for (final String host : List.of(Lab.PRIMARY, Lab.BACKUP)) {
            assertThat(Lab.nodeEnvironment(host).lines())
                    .contains(
                            "UNDERSTUDY_APP_CHECK_SEND=" + CHECK_SEND,
                            "UNDERSTUDY_APP_CHECK_EXPECT=" + CHECK_EXPECT,
                            "UNDERSTUDY_APP_RESTART=" + restartScript(),
                            "UNDERSTUDY_FAULT_INJECTION=true");
        }
    }

    @Test
    @Order(3)
    void shouldKillTheVipHoldersAppGroupAndRecordTheFail() {
        assertThat(Lab.vipHolder()).isEqualTo(Lab.PRIMARY);
        final long app = appPid(Lab.PRIMARY);

        final Lab.Result fail = Lab.expectOk(Lab.lab(Duration.ofSeconds(30), "fail", "app-kill"));

        assertThat(fail.stdout())
                .contains("fail app-kill: SIGKILL to the app on primary (process group " + app + ") at ");
        awaitGroupGone(app);
        final JsonNode recorded = Lab.status().get("fail");
        assertThat(recorded.get("mode").asText()).isEqualTo("app-kill");
        assertThat(recorded.get("host").asText()).isEqualTo(Lab.PRIMARY);
        assertThat(recorded.get("in_effect").asBoolean()).isTrue();
    }

    @Test
    @Order(4)
    void shouldBringANewAppUpWithTheRestartScript() {
        final long before = appPid(Lab.PRIMARY);

        final Lab.Result restart =
                Lab.expectOk(Lab.exec(Lab.PRIMARY, Duration.ofSeconds(60), "bash", restartScript(), Lab.PRIMARY));

        assertThat(restart.stdout().strip())
                .startsWith("app-restart: primary: ")
                .endsWith("listening on 127.0.0.1:" + Lab.DEMO_APP_PORT)
                .doesNotContain("\n");
        final JsonNode app = Lab.status().at("/hosts/primary/processes/app");
        assertThat(app.get("alive").asBoolean()).as("%s", app).isTrue();
        assertThat(app.get("pid").asLong()).isNotEqualTo(before);
        final Lab.Result stats = Lab.expectOk(Lab.exec(
                Lab.PRIMARY,
                Duration.ofSeconds(20),
                "timeout",
                "10",
                "bash",
                "-c",
                "exec 3<>/dev/tcp/127.0.0.1/" + Lab.DEMO_APP_PORT + " && printf 'STATS\\n' >&3 && head -n 1 <&3"));
        assertThat(stats.stdout()).as("the new app answers").contains(CHECK_EXPECT);

        final Lab.Result heal = Lab.expectOk(Lab.lab(Duration.ofSeconds(120), "heal"));
        assertThat(heal.stdout()).contains("healed app-kill at ");
        assertThat(Lab.status().at("/fail/in_effect").asBoolean()).isFalse();
    }

    private static String restartScript() {
        return Lab.status().get("state_dir").asText() + "/app-restart.sh";
    }

    private static long appPid(final String host) {
        return Lab.status().at("/hosts/" + host + "/processes/app/pid").asLong();
    }

    /** Waits (5 s) until no live (non-zombie) process is left in process group {@code pgid}. */
    private static void awaitGroupGone(final long pgid) {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> left = liveMembers(pgid);
        while (!left.isEmpty() && System.nanoTime() < deadlineNs) {
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            left = liveMembers(pgid);
        }
        assertThat(left)
                .as("processes left in the app's process group %d (pid pgid stat)", pgid)
                .isEmpty();
    }

    /** "PID PGID STAT" of each process in group {@code pgid} that is not a zombie. */
    private static List<String> liveMembers(final long pgid) {
        final Lab.Result ps =
                Lab.expectOk(Lab.run(Duration.ofSeconds(10), List.of("ps", "-A", "-o", "pid=,pgid=,stat=")));
        return ps.stdout()
                .lines()
                .map(line -> line.strip().split("\\s+"))
                .filter(fields -> fields[1].equals(String.valueOf(pgid)) && !fields[2].startsWith("Z"))
                .map(fields -> String.join(" ", fields))
                .toList();
    }
}
