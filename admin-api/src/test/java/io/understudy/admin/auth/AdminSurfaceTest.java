package io.understudy.admin.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.understudy.admin.health.TestNode;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a real node in this JVM offers to whom: Dropwizard's admin tasks are gone, GET /connections needs the token,
 * and a scraper on another host gets the metrics and the health checks from the API port, read only, without one.
 */
@Timeout(120)
class AdminSurfaceTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestNode.Ports ports = new TestNode.Ports();
    private TestNode primary;

    @BeforeEach
    void start() throws Exception {
        primary = ports.nodeA("primary", "node.log.enabled", "false", "api.token", TOKEN)
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        ports.close();
    }

    @Test
    void shouldAnswer404ToDropwizardsAdminTasksEvenWithTheToken() {
        for (final String task : new String[] {"/tasks/log-level?logger=ROOT&level=TRACE", "/tasks/gc", "/tasks"}) {
            assertThat(primary.admin("POST", task).statusCode())
                    .as("POST %s", task)
                    .isEqualTo(404);
        }
        assertThat(primary.admin("GET", "/prometheus").statusCode())
                .as("the admin port still serves")
                .isEqualTo(200);
    }

    @Test
    void shouldRefuseConnectionsWithoutTheTokenAndShowThemWithIt() throws Exception {
        final HttpResponse<String> missing = primary.api("GET", "/connections", null);
        final HttpResponse<String> wrong = primary.api("GET", "/connections", TOKEN + "x");
        final HttpResponse<String> right = primary.api("GET", "/connections", TOKEN);

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"understudy\"");
        assertThat(missing.body())
                .contains("this endpoint shows the node's clients")
                .doesNotContain("relayed");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(JSON.readValue(right.body(), new TypeReference<Map<String, Object>>() {}))
                .containsEntry("nodeId", "node-a")
                .containsEntry("role", "PRIMARY");
        assertThat(primary.api("GET", "/status", null).statusCode())
                .as("status stays open")
                .isEqualTo(200);
    }

    @Test
    void shouldServeThePrometheusTextOnTheApiPortWithoutATokenAndRefuseWrites() {
        final HttpResponse<String> metrics = primary.api("GET", "/metrics", null);

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        assertThat(metrics.body())
                .contains(
                        "# TYPE understudy_role_primary gauge\n",
                        "understudy_role_primary 1.0\n",
                        "understudy_relay_connections_accepted_total ");
        for (final String method : new String[] {"POST", "PUT", "DELETE"}) {
            assertThat(primary.api(method, "/metrics", TOKEN).statusCode())
                    .as("%s /metrics", method)
                    .isEqualTo(405);
            assertThat(primary.api(method, "/healthcheck", TOKEN).statusCode())
                    .as("%s /healthcheck", method)
                    .isEqualTo(405);
        }
    }

    @Test
    void shouldServeTheHealthChecksOnTheApiPortAsTheAdminPortDoes() throws Exception {
        final HttpResponse<String> health = primary.api("GET", "/healthcheck", null);
        final Map<String, Map<String, Object>> checks = JSON.readValue(health.body(), new TypeReference<>() {});

        assertThat(checks).containsKeys("role", "heartbeat", "tap", "logger", "app", "deadlocks");
        assertThat(checks.get("role")).containsEntry("healthy", true);
        assertThat(health.statusCode())
                .as("a lone primary has no peer: unhealthy, as on the admin port")
                .isEqualTo(primary.admin("/healthcheck").statusCode())
                .isEqualTo(500);
    }
}
