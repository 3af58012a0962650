package io.understudy.admin.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.understudy.admin.health.TestNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GET / (the pair's page) and GET /pair (what it draws) on a real node, open like /status. The node's peer is not
 * running here: /pair says it could not be read, and the pair is not healthy.
 */
@Timeout(60)
class PairPageTest {
    private final TestNode.Ports ports = new TestNode.Ports();

    @AfterEach
    void stop() throws Exception {
        ports.close();
    }

    @Test
    void shouldServeThePageAndThePairWithoutAToken() throws Exception {
        final TestNode primary =
                ports.nodeA("primary", "node.log.enabled", "false").start();

        final HttpResponse<String> page = primary.api("GET", "/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body())
                .contains("<title>Understudy pair</title>", "fetch(\"pair\")")
                .as("nothing fetched from elsewhere")
                .doesNotContain("src=\"http", "href=\"http");

        final HttpResponse<String> pair = primary.api("GET", "/pair", null);
        assertThat(pair.statusCode()).isEqualTo(200);
        final JsonNode json = new ObjectMapper().readTree(pair.body());
        assertThat(json.get("healthy").asBoolean()).isFalse();
        assertThat(json.get("nodes")).hasSize(2);
        assertThat(json.get("nodes").get(0).get("status").get("nodeId").asText())
                .isEqualTo("node-a");
        assertThat(json.get("nodes").get(0).get("status").get("role").asText()).isEqualTo("PRIMARY");
        assertThat(json.get("nodes").get(1).get("error").asText()).isNotBlank();
        assertThat(json.get("alarms").toString()).contains("node unreachable");
    }
}
