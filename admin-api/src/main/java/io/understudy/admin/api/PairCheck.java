package io.understudy.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The pair judged from its nodes' GET /status: what an operator must know (two primaries, two holders of the service
 * address, none, a node alone, a stranger, the read log degraded, the tap losing frames, unprotected connections, a
 * failed app, a node's own alarms, a node that could not be read). Shared by {@code understudy status} and the
 * node's page, so both say the same.
 */
public final class PairCheck {
    /** One node as read: its status, or why there is none. */
    public record NodeRead(String url, JsonNode status, String error) {}

    private final List<NodeRead> reads;
    private final List<String> alarms = new ArrayList<>();
    private boolean unreachable;

    public PairCheck(final List<NodeRead> reads) {
        this.reads = List.copyOf(reads);
        judge();
    }

    public List<NodeRead> reads() {
        return reads;
    }

    public List<String> alarms() {
        return List.copyOf(alarms);
    }

    /** A node could not be read. */
    public boolean unreachable() {
        return unreachable;
    }

    public boolean healthy() {
        return alarms.isEmpty();
    }

    private void judge() {
        final List<String> primaries = new ArrayList<>();
        final List<String> holders = new ArrayList<>();
        for (final NodeRead read : reads) {
            if (read.status() == null) {
                unreachable = true;
                alarms.add("node unreachable: " + read.error());
                continue;
            }
            final JsonNode status = read.status();
            final String id = text(status, "nodeId", "?");
            if ("PRIMARY".equals(text(status, "role", ""))) {
                primaries.add(id);
            }
            if (status.path("holdsServiceAddress").asBoolean()) {
                holders.add(id);
            }
            for (final JsonNode alarm : status.path("alarms")) {
                alarms.add(id + ": " + alarm.asText());
            }
            if (status.path("strangers").size() > 0) {
                alarms.add(id + ": stranger in the heartbeat view: " + status.get("strangers"));
            }
            if (status.path("members").size() < 2) {
                alarms.add(id + ": no peer in its heartbeat view (" + status.path("members") + ")");
            }
            final String degraded = text(status.path("readLog"), "degraded", null);
            if (degraded != null) {
                alarms.add(id + ": read log degraded: " + degraded);
            }
            final JsonNode tap = status.path("tap");
            if (tap.path("kernelDrops").asLong() > 0) {
                alarms.add(id + ": the tap lost " + tap.get("kernelDrops").asLong() + " frames (capture buffer "
                        + "full)");
            }
            if (tap.isObject() && !tap.path("running").asBoolean()) {
                alarms.add(id + ": the tap does not capture");
            }
            if (status.path("unprotectedConnections").asInt() > 0) {
                alarms.add(id + ": " + status.get("unprotectedConnections").asInt() + " connection(s) not "
                        + "protected (GET /connections on it says why)");
            }
            final JsonNode sync = status.path("replicaSync");
            if (sync.isObject() && !sync.path("inStep").asBoolean()) {
                alarms.add(id + ": its replica is not in sync with the primary's app ("
                        + sync.path("state").asText()
                        + (sync.path("lastError").isTextual()
                                ? ": " + sync.get("lastError").asText()
                                : "") + "): connections opened meanwhile are not protected");
            }
            final JsonNode app = status.path("appHealth");
            if (!app.path("failed").isNull() && !app.path("failed").isMissingNode()) {
                alarms.add(id + ": its app failed: " + app.get("failed").asText());
            }
        }
        if (primaries.size() > 1) {
            alarms.add(0, "split brain: " + String.join(" and ", primaries) + " both say PRIMARY");
        }
        if (holders.size() > 1) {
            alarms.add(0, "two holders of the service address: " + String.join(" and ", holders));
        }
        if (primaries.isEmpty() && !unreachable) {
            alarms.add(0, "no node is PRIMARY: nobody serves");
        }
    }

    /** {"healthy", "nodes": [{url, status, error}], "alarms"}: what status --json prints and GET /pair answers. */
    public ObjectNode toJson(final ObjectMapper json) {
        final ObjectNode pair = json.createObjectNode();
        pair.put("healthy", alarms.isEmpty());
        final ArrayNode nodes = pair.putArray("nodes");
        for (final NodeRead read : reads) {
            final ObjectNode node = nodes.addObject();
            node.put("url", read.url());
            node.set("status", read.status());
            node.put("error", read.error());
        }
        final ArrayNode alarmList = pair.putArray("alarms");
        alarms.forEach(alarmList::add);
        return pair;
    }

    private static String text(final JsonNode node, final String field, final String whenAbsent) {
        final JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? whenAbsent : value.asText();
    }
}
