package io.understudy.ops.load;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The loadgen command: holds long-lived connections that each send requests on their own key and check that every
 * reply is exactly the next counter (and value), then reports what was lost, doubled, damaged or reset.
 */
@Command(
        name = "loadgen",
        description = {
            "Load a service with long-lived connections and check every reply.",
            "Each connection sends requests on its own key (INCR, incr for memcached, GET /<key> for http, an UPDATE "
                    + "for postgres), one at a time; at the end one JSON line of totals is printed on stdout, then a readable summary."
        },
        footer = {
            "",
            "Protocols:",
            "  line  the demo service: 'INCR <key>' answered by '<counter> <value>'",
            "  resp  any Redis-compatible server: INCR <key> answered by an integer",
            "  http  an HTTP/1.1 keep-alive server: 'GET /<key>' answered by a reply",
            "        framed by Content-Length whose body's first line is the",
            "        connection's request counter and whose rest is the same every",
            "        time, as nginx's return 200 \"$connection_requests\\n<padding>\";",
            "        headers that change (Date) are not compared",
            "  memcached  memcached's text protocol: once on connect 'set <key> 0 0 1'",
            "             and the data 0, answered STORED; then 'incr <key> 1' answered",
            "             by the new value, so the first must be 1",
            "  postgres   PostgreSQL through its JDBC driver: the table",
            "             understudy_counters (k text, v bigint) is made if missing; each",
            "             connection sets its row k=<key> to 0 on connect, then",
            "             'UPDATE ... SET v = v + 1 ... RETURNING v', so the first must be 1;",
            "             user, database and password from PGUSER (default postgres),",
            "             PGDATABASE (default the user) and PGPASSWORD; no TLS",
            "Connection i uses the key <key-prefix><i> and stops for good once it fails.",
            "Every reply is counted as one of:",
            "  ok         exactly the next request counter (line, http) and value",
            "             (line, resp, memcached)",
            "  skipped    a counter or value beyond the next one: something was lost",
            "  repeated   a counter or value not beyond the previous one: applied twice",
            "             or replayed",
            "  corrupted  the reply does not parse, or (http) its body after the counter",
            "             differs from the connection's first; a reply that cannot be",
            "             split from the next (too long; http: no Content-Length,",
            "             Transfer-Encoding) also stops its connection",
            "  errors     ERR or '-' reply, http status other than 2xx, memcached",
            "             ERROR, CLIENT_ERROR, SERVER_ERROR or NOT_FOUND, a memcached",
            "             set not answered STORED (stops the connection), a postgres",
            "             statement error (SQLSTATE and message), reply timeout,",
            "             unexpected EOF or Connection: close, other I/O error",
            "  resets     the connection was reset (TCP RST)",
            "After a skip or repeat the check re-bases, so one fault is counted once.",
            "The summary names every connection that was not ok, with its first error",
            "or corrupted reply.",
            "Exit codes: 0 every connection got replies and all were ok, 1 otherwise,",
            "2 bad arguments."
        })
public final class LoadgenCommand implements Callable<Integer> {
    /** memcached refuses a longer key (CLIENT_ERROR): the prefix and the highest connection index must fit in it. */
    private static final int MEMCACHED_MAX_KEY_BYTES = 250;

    @Spec
    private CommandSpec spec;

    @Option(names = "--host", required = true, paramLabel = "H", description = "Server host name or address.")
    private String host;

    @Option(names = "--port", required = true, paramLabel = "P", description = "Server TCP port.")
    private int port;

    @Option(
            names = "--connections",
            paramLabel = "N",
            defaultValue = "20",
            description = "Number of concurrent connections (default: ${DEFAULT-VALUE}).")
    private int connections;

    @Option(
            names = "--interval-ms",
            paramLabel = "MS",
            defaultValue = "5",
            description = "Time between two requests of one connection; 0 sends the next request as soon as the "
                    + "reply arrives (default: ${DEFAULT-VALUE}).")
    private long intervalMs;

    @Option(
            names = "--duration-s",
            paramLabel = "S",
            defaultValue = "10",
            description = "How long the connections send requests, in seconds; a reply still due then is "
                    + "awaited (default: ${DEFAULT-VALUE}).")
    private long durationS;

    @Option(
            names = "--protocol",
            paramLabel = "line|resp|http|memcached|postgres",
            defaultValue = "line",
            converter = ProtocolConverter.class,
            description = "line: the demo-service protocol; resp: any Redis-compatible server; http: an HTTP/1.1 "
                    + "keep-alive server that numbers each connection's requests; memcached: memcached's text "
                    + "protocol; postgres: PostgreSQL (see below) (default: ${DEFAULT-VALUE}).")
    private Protocol protocol;

    @Option(
            names = "--key-prefix",
            paramLabel = "P",
            description = "Prefix of the per-connection keys (default: lg- and 8 random hex digits, "
                    + "so reruns do not collide).")
    private String keyPrefix;

    @Option(
            names = "--connect-timeout-ms",
            paramLabel = "MS",
            defaultValue = "3000",
            description = "Connect timeout per connection (default: ${DEFAULT-VALUE}).")
    private int connectTimeoutMs;

    @Option(
            names = "--reply-timeout-ms",
            paramLabel = "MS",
            defaultValue = "30000",
            description =
                    "A reply that takes longer is an error and stops its connection " + "(default: ${DEFAULT-VALUE}).")
    private long replyTimeoutMs;

    @Option(
            names = "--stall-log",
            paramLabel = "FILE",
            description = "Also write every reply that took 50 ms or more, and each connection's wait before it "
                    + "failed, as CSV (connection,start_unix_ms,stall_ms,kind) for understudy-ops drill-picture.")
    private java.nio.file.Path stallLog;

    @Option(
            names = "--stop-file",
            paramLabel = "FILE",
            description = "Also end the run, as at its duration's end, once FILE exists (looked for every 100 ms): "
                    + "for a script that does not know up front how long its clients must run.")
    private java.nio.file.Path stopFile;

    @Option(names = "--json-only", description = "Print only the JSON line, not the summary.")
    private boolean jsonOnly;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    private boolean helpRequested;

    @Override
    public Integer call() throws InterruptedException {
        final LoadConfig config = validatedConfig();
        final LoadReport report = LoadRun.run(config, stallLog, stopFile);
        final PrintWriter out = spec.commandLine().getOut();
        out.println(report.toJson());
        if (!jsonOnly) {
            out.print(report.toSummary(config));
        }
        out.flush();
        return report.exitCode();
    }

    private LoadConfig validatedConfig() {
        require(!host.isBlank(), "--host must not be empty");
        require(port >= 1 && port <= 65_535, "--port must be between 1 and 65535, was " + port);
        require(
                connections >= 1 && connections <= 10_000,
                "--connections must be between 1 and 10000, was " + connections);
        require(intervalMs >= 0, "--interval-ms must be 0 or more, was " + intervalMs);
        require(durationS >= 1, "--duration-s must be 1 or more, was " + durationS);
        require(connectTimeoutMs >= 1, "--connect-timeout-ms must be 1 or more, was " + connectTimeoutMs);
        require(replyTimeoutMs >= 1, "--reply-timeout-ms must be 1 or more, was " + replyTimeoutMs);
        final String prefix = keyPrefix != null
                ? keyPrefix
                : String.format(
                        Locale.ROOT, "lg-%08x", ThreadLocalRandom.current().nextInt());
        require(
                !prefix.isEmpty() && prefix.chars().allMatch(c -> c > ' ' && c < 127),
                "--key-prefix must be printable ASCII without spaces, was '" + prefix + "'");
        final int longestKeyBytes =
                prefix.length() + String.valueOf(connections - 1).length();
        require(
                protocol != Protocol.MEMCACHED || longestKeyBytes <= MEMCACHED_MAX_KEY_BYTES,
                "--key-prefix too long for memcached: keys are at most " + MEMCACHED_MAX_KEY_BYTES
                        + " bytes, the last would be " + longestKeyBytes);
        return new LoadConfig(
                host,
                port,
                connections,
                intervalMs,
                durationS * 1000,
                protocol,
                prefix,
                connectTimeoutMs,
                replyTimeoutMs);
    }

    private void require(final boolean condition, final String message) {
        if (!condition) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }
}
