package io.understudy.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.core.setup.Bootstrap;
import io.understudy.admin.api.PairCheck;
import io.understudy.admin.api.PairCheck.NodeRead;
import io.understudy.admin.api.StatusReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntConsumer;
import javax.net.ssl.SSLContext;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code understudy status --node URL}: the pair at a glance, from one node's GET /status and its peer's (the URL
 * the node gives for it), or from every --node given. Roles, epochs, who holds the service address, heartbeat ages,
 * protected connections, the last failover, and the alarms an operator must act on. The exit code says whether the
 * pair is healthy.
 */
public final class StatusCommand extends OperatorCommand {
    static final int EXIT_DEGRADED = 1;
    static final int EXIT_UNREACHABLE = 3;
    private static final int DEFAULT_TIMEOUT_S = 5;
    private static final int MAX_WATCH_S = 3600;

    private final PrintStream out;
    private final PrintStream err;
    private final IntConsumer exit;
    private final ObjectMapper json = new ObjectMapper();

    public StatusCommand() {
        this(System.out, System.err, System::exit);
    }

    /** @param exit ends the process with codes 1 and 3 (0 is a normal return, 2 a {@link UsageException}). */
    StatusCommand(final PrintStream out, final PrintStream err, final IntConsumer exit) {
        super(
                "status",
                "Show the pair at a glance: each node's role, epoch and health, who holds the service "
                        + "address, the heartbeat, protected connections, the last failover and the alarms.");
        this.out = out;
        this.err = err;
        this.exit = exit;
    }

    @Override
    public void configure(final Subparser subparser) {
        subparser
                .addArgument("--node")
                .action(Arguments.append())
                .required(true)
                .metavar("URL")
                .help("a node's API, e.g. http://198.18.0.2:8080/; with one, its peer is asked too (the URL the node "
                        + "reaches it at); repeat to name both");
        subparser
                .addArgument("--cacert")
                .metavar("FILE")
                .help(
                        "with https:// nodes: trust only the certificate(s) in this PEM file (the pair's API certificate)");
        subparser
                .addArgument("--timeout-s")
                .dest("timeoutS")
                .type(Integer.class)
                .setDefault(DEFAULT_TIMEOUT_S)
                .metavar("S")
                .help("how long to wait for each node (default " + DEFAULT_TIMEOUT_S + ")");
        subparser
                .addArgument("--json")
                .action(Arguments.storeTrue())
                .help("print one JSON object: every node's status as it answered, the alarms, and healthy true/false");
        subparser
                .addArgument("--watch")
                .type(Integer.class)
                .nargs("?")
                .setConst(2)
                .metavar("S")
                .help("show it again every S seconds (default 2) until interrupted");
        subparser.epilog("Exit codes: 0 healthy (one primary holding the service address, the backup in its view "
                + "and protecting every connection, no alarm); 1 degraded (the alarms say why); 2 bad arguments; 3 a "
                + "node could not be read. Example: ops/understudy status --node http://198.18.0.2:8080/");
    }

    @Override
    public void run(final Bootstrap<?> bootstrap, final Namespace namespace) throws Exception {
        final List<URI> nodes = new ArrayList<>();
        for (final Object node : namespace.getList("node")) {
            nodes.add(DrillCommand.parseNode(String.valueOf(node), "status"));
        }
        final int timeoutS = namespace.getInt("timeoutS");
        if (timeoutS < 1 || timeoutS > 60) {
            throw new UsageException("status: --timeout-s must be 1-60, got " + timeoutS, null);
        }
        final Integer watch = namespace.getInt("watch");
        if (watch != null && (watch < 1 || watch > MAX_WATCH_S)) {
            throw new UsageException("status: --watch must be 1-" + MAX_WATCH_S + " seconds, got " + watch, null);
        }
        final SSLContext tls = DrillCommand.trust(namespace.getString("cacert"), nodes.get(0), "status");
        final HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(timeoutS))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) {
            builder.sslContext(tls);
        }
        final HttpClient client = builder.build();
        int code;
        while (true) {
            final Pair pair = read(client, nodes, timeoutS);
            if (watch != null) {
                out.print("\033[H\033[2J"); // clear the terminal between rounds
            }
            if (namespace.getBoolean("json")) {
                out.println(json.writeValueAsString(pair.toJson(json)));
            } else {
                pair.print(out);
            }
            out.flush();
            code = pair.exitCode();
            if (watch == null) {
                break;
            }
            Thread.sleep(watch * 1000L);
        }
        err.flush();
        if (code != 0) {
            exit.accept(code);
        }
    }

    /** Each named node's status, and the peer's when one node was named and it gives its peer's URL. */
    private Pair read(final HttpClient client, final List<URI> nodes, final int timeoutS) throws InterruptedException {
        final Map<String, NodeRead> reads = new LinkedHashMap<>();
        for (final URI node : nodes) {
            reads.put(node.toString(), fetch(client, node, timeoutS));
        }
        if (nodes.size() == 1) {
            final JsonNode first = reads.values().iterator().next().status();
            final String peer = first == null ? null : text(first, "peerApi", null);
            if (peer != null && !reads.containsKey(peer)) {
                try {
                    final URI peerUri = DrillCommand.parseNode(peer, "status");
                    reads.put(peer, fetch(client, peerUri, timeoutS));
                } catch (final UsageException ex) {
                    reads.put(peer, new NodeRead(peer, null, "the node gave its peer as '" + peer + "'"));
                }
            }
        }
        return new Pair(new ArrayList<>(reads.values()));
    }

    private NodeRead fetch(final HttpClient client, final URI node, final int timeoutS) throws InterruptedException {
        final URI uri = DrillCommand.endpoint(node, "status");
        try {
            return new NodeRead(
                    node.toString(), StatusReader.read(client, uri, Duration.ofSeconds(timeoutS), json), null);
        } catch (final StatusReader.NotAStatusException ex) {
            return new NodeRead(node.toString(), null, ex.getMessage());
        } catch (final IOException ex) {
            return new NodeRead(node.toString(), null, "cannot reach " + uri + ": " + DrillCommand.describe(ex));
        }
    }

    private static String text(final JsonNode node, final String field, final String whenAbsent) {
        final JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? whenAbsent : value.asText();
    }

    /** The pair as read: judged by {@link PairCheck}, printed here. */
    private static final class Pair {
        private final PairCheck check;

        Pair(final List<NodeRead> reads) {
            this.check = new PairCheck(reads);
        }

        int exitCode() {
            return check.unreachable() ? EXIT_UNREACHABLE : check.healthy() ? 0 : EXIT_DEGRADED;
        }

        ObjectNode toJson(final ObjectMapper json) {
            return check.toJson(json);
        }

        void print(final PrintStream out) {
            final List<NodeRead> reads = check.reads();
            final List<String> alarms = check.alarms();
            final JsonNode any = reads.stream()
                    .filter(read -> read.status() != null)
                    .map(NodeRead::status)
                    .findFirst()
                    .orElse(null);
            final String holders = String.join(
                    ", ",
                    reads.stream()
                            .filter(read -> read.status() != null
                                    && read.status().path("holdsServiceAddress").asBoolean())
                            .map(read -> text(read.status(), "nodeId", "?"))
                            .toList());
            out.println("service " + (any == null ? "?" : text(any, "service", "?")) + ": held by "
                    + (holders.isEmpty() ? "nobody" : holders)
                    + (alarms.isEmpty() ? "; healthy" : "; " + alarms.size() + " alarm(s)"));
            out.println(String.format(
                    Locale.ROOT,
                    "%-10s %-8s %-13s %-6s %-10s %-4s %s",
                    "NODE",
                    "ROLE",
                    "STATE",
                    "EPOCH",
                    "HEARTBEAT",
                    "VIP",
                    "CONNECTIONS"));
            for (final NodeRead read : reads) {
                if (read.status() == null) {
                    out.println(String.format(Locale.ROOT, "%-10s %s", "?", "unreachable: " + read.error()));
                    continue;
                }
                final JsonNode status = read.status();
                final long age = status.path("heartbeatAgeMs").asLong(-1);
                out.println(String.format(
                        Locale.ROOT,
                        "%-10s %-8s %-13s %-6s %-10s %-4s %s",
                        text(status, "nodeId", "?"),
                        text(status, "role", "?"),
                        text(status, "state", "?"),
                        text(status, "epoch", "?"),
                        age < 0 ? "never" : String.format(Locale.ROOT, "%.1f s", age / 1000.0),
                        status.path("holdsServiceAddress").asBoolean() ? "yes" : "no",
                        connections(status)));
            }
            for (final NodeRead read : reads) {
                final JsonNode failover =
                        read.status() == null ? null : read.status().path("lastFailover");
                if (failover != null && failover.isObject()) {
                    out.println("last failover: " + text(read.status(), "nodeId", "?") + " took over at "
                            + text(failover, "at", "?")
                            + " (" + text(failover, "trigger", "?") + "): restored " + text(failover, "restored", "?")
                            + ", not restored " + failover.path("notRestored").size() + ", detection "
                            + text(failover, "detectionMs", "?") + " ms, takeover " + text(failover, "takeoverMs", "?")
                            + " ms");
                }
            }
            if (alarms.isEmpty()) {
                out.println("alarms: none");
            } else {
                out.println("alarms:");
                alarms.forEach(alarm -> out.println("  " + alarm));
            }
        }

        private static String connections(final JsonNode status) {
            final JsonNode relay = status.path("relay");
            if (relay.isObject()) {
                return "relayed " + relay.path("connectionsOpen").asLong();
            }
            final int protectedCount = status.path("protectedConnections").asInt(-1);
            final JsonNode sync = status.path("replicaSync");
            return protectedCount < 0
                    ? "-"
                    : "protecting " + protectedCount + " of "
                            + (protectedCount
                                    + Math.max(
                                            0,
                                            status.path("unprotectedConnections")
                                                    .asInt())) + " tapped"
                            + (sync.isObject() && !sync.path("inStep").asBoolean() ? "; replica not in sync" : "");
        }
    }
}
