package io.understudy.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.core.setup.Bootstrap;
import io.understudy.admin.auth.ApiTls;
import io.understudy.admin.auth.TokenFile;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code understudy drill --node URL [--token-file FILE] [--mode planned|crash]}: asks a primary's admin API to run a
 * failover drill (POST /drills/failover, which answers when the drill is over) and prints its report; {@code --last}
 * prints the report of the last drill (GET /drills/last). The token comes from a file or the environment, never the
 * command line.
 */
public final class DrillCommand extends OperatorCommand {
    /** Where the token comes from without {@code --token-file} (the same variable the node's config reads). */
    public static final String TOKEN_VARIABLE = "UNDERSTUDY_DRILL_TOKEN";

    static final int EXIT_DRILL_FAILED = 1;
    static final int EXIT_NO_REPORT = 3;

    private static final int DEFAULT_TIMEOUT_S = 60;
    private static final int MAX_TIMEOUT_S = 3600;
    private static final int MAX_CONNECT_TIMEOUT_S = 10;
    private static final int MAX_BODY_CHARS_SHOWN = 300;

    private final PrintStream out;
    private final PrintStream err;
    private final UnaryOperator<String> environment;
    private final IntConsumer exit;
    private final ObjectMapper json = new ObjectMapper();

    public DrillCommand() {
        this(System.out, System.err, System::getenv, System::exit);
    }

    /**
     * @param environment looks up environment variables (the token without --token-file).
     * @param exit        ends the process with codes 1 and 3 (0 is a normal return, 2 a {@link UsageException}).
     */
    DrillCommand(
            final PrintStream out,
            final PrintStream err,
            final UnaryOperator<String> environment,
            final IntConsumer exit) {
        super(
                "drill",
                "Run a failover drill on the primary through its admin API and print the report, or "
                        + "print the last drill's report (--last).");
        this.out = out;
        this.err = err;
        this.environment = environment;
        this.exit = exit;
    }

    @Override
    public void configure(final Subparser subparser) {
        subparser
                .addArgument("--node")
                .required(true)
                .metavar("URL")
                .help("the admin API of the node that is primary now, e.g. http://198.18.0.2:8080/");
        subparser
                .addArgument("--token-file")
                .dest("tokenFile")
                .metavar("FILE")
                .help(
                        "a file holding the node's api token (one line, not readable by others), sent as "
                                + "'Authorization: Bearer <token>' (default: the token in $"
                                + TOKEN_VARIABLE + "); needed for a "
                                + "drill, sent with --last when there is one. There is no --token: ps would show it to everyone");
        // Not offered, but caught: argparse4j would take --token as short for --token-file, and an old script's
        // token would end up in an error message.
        subparser.addArgument("--token").dest("tokenOnCommandLine").help(Arguments.SUPPRESS);
        subparser
                .addArgument("--cacert")
                .metavar("FILE")
                .help(
                        "with an https:// node: trust only the certificate(s) in this PEM file (the pair's API "
                                + "certificate, as in api.peerCertificateFile) instead of the system's certificate authorities");
        subparser
                .addArgument("--mode")
                .metavar("planned|crash")
                .help("planned (default): a handover, the backup takes over at once; crash: the primary plays dead "
                        + "and the backup has to notice, as after a real crash");
        subparser
                .addArgument("--timeout-s")
                .dest("timeoutS")
                .type(Integer.class)
                .setDefault(DEFAULT_TIMEOUT_S)
                .metavar("S")
                .help("how long to wait for the node's answer (default " + DEFAULT_TIMEOUT_S + "; the drill answers "
                        + "only when it is over)");
        subparser
                .addArgument("--json")
                .action(Arguments.storeTrue())
                .help("print the node's JSON answer as it came instead of the summary");
        subparser
                .addArgument("--last")
                .action(Arguments.storeTrue())
                .help("run no drill: print the report of the last drill this node ran (GET /drills/last)");
        subparser.epilog("Exit codes: 0 the drill's outcome is ok; 1 the drill ran and failed (the report says "
                + "why); 2 bad arguments (URL, token, mode, timeout); 3 no report: the node refused (wrong token, not "
                + "the primary, bad request: its message is printed; --last: no drill has run) or could not be reached "
                + "in time. --last exits as the drill it shows. Example: ops/understudy drill --node "
                + "http://198.18.0.2:8080/ --token-file /etc/understudy/drill.token --mode crash");
    }

    @Override
    public void run(final Bootstrap<?> bootstrap, final Namespace namespace) throws Exception {
        if (namespace.get("tokenOnCommandLine") != null) {
            throw new UsageException(
                    "drill: there is no --token: ps shows command lines to everyone; put the token "
                            + "in a file only you can read (--token-file FILE) or in $" + TOKEN_VARIABLE,
                    null);
        }
        final boolean last = namespace.getBoolean("last");
        final URI base = parseNode(namespace.getString("node"));
        final int timeoutS = parseTimeout(namespace.getInt("timeoutS"));
        final String token = token(namespace.getString("tokenFile"), !last);
        final String mode = namespace.getString("mode");
        final SSLContext tls = trust(namespace.getString("cacert"), base);
        final HttpRequest request;
        if (last) {
            if (mode != null) {
                throw new UsageException("drill: --mode goes with a drill, not with --last", null);
            }
            request = request(endpoint(base, "drills/last"), token, timeoutS)
                    .GET()
                    .build();
        } else {
            request = request(endpoint(base, "drills/failover?mode=" + parseMode(mode)), token, timeoutS)
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build();
        }
        final int code = exchange(request, base, timeoutS, namespace.getBoolean("json"), tls);
        out.flush();
        err.flush();
        if (code != 0) {
            exit.accept(code);
        }
    }

    /** Sends the request and prints what came back; returns the exit code. */
    private int exchange(
            final HttpRequest request, final URI base, final int timeoutS, final boolean raw, final SSLContext tls)
            throws InterruptedException {
        final HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(Math.min(timeoutS, MAX_CONNECT_TIMEOUT_S)))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) {
            builder.sslContext(tls);
        }
        final HttpClient client = builder.build();
        final HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (final HttpConnectTimeoutException ex) {
            err.println("drill: cannot reach " + request.uri() + ": no connection within "
                    + Math.min(timeoutS, MAX_CONNECT_TIMEOUT_S) + " s");
            return EXIT_NO_REPORT;
        } catch (final HttpTimeoutException ex) {
            err.println("drill: no answer from " + request.uri() + " within " + timeoutS + " s"
                    + ("POST".equals(request.method())
                            ? "; the drill may still be running there: ops/understudy drill " + "--last --node " + base
                                    + " shows how it ended"
                            : ""));
            return EXIT_NO_REPORT;
        } catch (final IOException ex) {
            err.println("drill: cannot reach " + request.uri() + ": " + describe(ex)
                    + (untrusted(ex)
                            ? "; the node's certificate is not trusted"
                                    + (tls == null
                                            ? ": give it with --cacert FILE"
                                            : " by --cacert, or does not name "
                                                    + request.uri().getHost())
                            : ""));
            return EXIT_NO_REPORT;
        }
        if (response.statusCode() != 200) {
            if (raw && !response.body().isBlank()) {
                out.println(response.body().strip());
            }
            err.println("drill: " + request.method() + " " + request.uri() + " answered " + response.statusCode() + ": "
                    + errorMessage(response.body()));
            return EXIT_NO_REPORT;
        }
        return onReport(request, response.body(), raw);
    }

    private int onReport(final HttpRequest request, final String body, final boolean raw) {
        final JsonNode report;
        try {
            report = json.readTree(body);
        } catch (final IOException ex) {
            err.println("drill: " + request.uri() + " answered 200 but not with JSON: " + shorten(body));
            return EXIT_NO_REPORT;
        }
        if (report == null || !report.path("outcome").isTextual()) {
            err.println("drill: " + request.uri() + " answered 200 but not with a drill report (no outcome): "
                    + shorten(body));
            return EXIT_NO_REPORT;
        }
        if (raw) {
            out.println(body.strip());
        } else {
            printSummary(report);
        }
        return "ok".equals(report.get("outcome").asText()) ? 0 : EXIT_DRILL_FAILED;
    }

    private void printSummary(final JsonNode report) {
        out.println("drill " + text(report, "id") + " (" + text(report, "mode") + "): " + text(report, "from") + " -> "
                + (report.path("to").isTextual() ? report.get("to").asText() : "nobody") + ", outcome "
                + text(report, "outcome"));
        out.println("  started " + text(report, "startedAt") + ", finished " + text(report, "finishedAt"));
        if (!report.path("error").isNull() && !report.path("error").isMissingNode()) {
            out.println("  error: " + text(report, "error"));
        }
        final JsonNode failover = report.path("failover");
        if (!failover.isObject()) {
            out.println("  no failover report: the backup did not take over");
            return;
        }
        out.println("  takeover " + text(failover, "takeoverMs") + " ms (detection " + text(failover, "detectionMs")
                + " ms, sockets restored in " + text(failover, "restoreMs") + " ms), " + text(failover, "mode")
                + " mode");
        out.println("  restored " + text(failover, "restored") + " connection(s)");
        final JsonNode notRestored = failover.path("notRestored");
        out.println("  not restored " + notRestored.size() + (notRestored.size() > 0 ? ":" : ""));
        for (final Iterator<Map.Entry<String, JsonNode>> it = notRestored.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> connection = it.next();
            out.println(
                    "    " + connection.getKey() + ": " + connection.getValue().asText());
        }
    }

    /** The node's error JSON {"code":..,"message":".."} says why; anything else is shown as it came. */
    private String errorMessage(final String body) {
        try {
            final JsonNode error = json.readTree(body);
            if (error != null && error.path("message").isTextual()) {
                return error.get("message").asText();
            }
        } catch (final IOException notJson) {
            // shown as it came, below
        }
        return body.isBlank() ? "(no message)" : shorten(body);
    }

    /**
     * The TLS context trusting only the certificates in {@code cacert}, or null for the JDK's default (no --cacert).
     *
     * @throws UsageException when the file cannot be read or --cacert comes with an http:// node.
     */
    static SSLContext trust(final String cacert, final URI base) throws UsageException {
        return trust(cacert, base, "drill");
    }

    /** As {@link #trust(String, URI)}, its errors starting with {@code command}. */
    static SSLContext trust(final String cacert, final URI base, final String command) throws UsageException {
        if (cacert == null) {
            return null;
        }
        if (!"https".equalsIgnoreCase(base.getScheme())) {
            throw new UsageException(command + ": --cacert goes with an https:// node; got " + base, null);
        }
        try {
            return ApiTls.trusting(ApiTls.pemCertificates(Path.of(cacert), command + ": --cacert"));
        } catch (final IOException | InvalidPathException ex) {
            throw new UsageException(
                    ex.getMessage().startsWith(command + ":")
                            ? ex.getMessage()
                            : command + ": --cacert: " + ex.getMessage(),
                    ex);
        }
    }

    /** The base URL of a node's admin API: http(s)://HOST[:PORT][/PREFIX/], nothing after the path. */
    static URI parseNode(final String value) throws UsageException {
        return parseNode(value, "drill");
    }

    /** As {@link #parseNode(String)}, its errors starting with {@code command}. */
    static URI parseNode(final String value, final String command) throws UsageException {
        final String example = "e.g. http://198.18.0.2:8080/";
        if (!value.contains("://")) {
            throw new UsageException(
                    command + ": --node must start with http:// or https://, " + example + "; got '" + value + "'",
                    null);
        }
        final URI uri;
        try {
            uri = new URI(value.strip());
        } catch (final URISyntaxException ex) {
            throw new UsageException(
                    command + ": --node must be the node's API URL, " + example + "; got '" + value + "' ("
                            + ex.getReason() + ")",
                    ex);
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new UsageException(
                    command + ": --node must start with http:// or https://, " + example + "; got '" + value + "'",
                    null);
        }
        if (uri.getHost() == null) {
            throw new UsageException(command + ": --node has no host, " + example + "; got '" + value + "'", null);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new UsageException(
                    command + ": --node is the API's base URL, without '?' or '#', " + example + "; got '" + value
                            + "'",
                    null);
        }
        return uri;
    }

    /** {@code path} under the node's base URL (which may carry a prefix path of its own). */
    static URI endpoint(final URI base, final String path) {
        final String prefix = base.getRawPath() == null ? "" : base.getRawPath();
        return URI.create(base.getScheme() + "://" + base.getRawAuthority()
                + (prefix.endsWith("/") ? prefix : prefix + "/") + path);
    }

    static String parseMode(final String mode) throws UsageException {
        if (mode == null) {
            return "planned";
        }
        if (!"planned".equals(mode) && !"crash".equals(mode)) {
            throw new UsageException("drill: --mode must be planned or crash, got '" + mode + "'", null);
        }
        return mode;
    }

    private static int parseTimeout(final int timeoutS) throws UsageException {
        if (timeoutS < 1 || timeoutS > MAX_TIMEOUT_S) {
            throw new UsageException("drill: --timeout-s must be 1-" + MAX_TIMEOUT_S + ", got " + timeoutS, null);
        }
        return timeoutS;
    }

    /** The token in --token-file, else the environment's; a drill needs one, --last sends it when there is one. */
    private String token(final String tokenFile, final boolean required) throws UsageException {
        if (tokenFile != null) {
            try {
                return TokenFile.read(Path.of(tokenFile));
            } catch (final IOException | InvalidPathException ex) {
                throw new UsageException("drill: --token-file: " + ex.getMessage(), ex);
            }
        }
        final String token = environment.apply(TOKEN_VARIABLE);
        if (token == null || token.isBlank()) {
            if (required) {
                throw new UsageException(
                        "drill: no token: give --token-file FILE or set " + TOKEN_VARIABLE + " (the node's api token)",
                        null);
            }
            return null;
        }
        if (token.strip().chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new UsageException("drill: the token may hold only printable ASCII without spaces", null);
        }
        return token.strip();
    }

    private static HttpRequest.Builder request(final URI uri, final String token, final int timeoutS) {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(timeoutS))
                .header("Accept", "application/json");
        return token == null ? builder : builder.header("Authorization", "Bearer " + token);
    }

    private static String text(final JsonNode node, final String field) {
        final JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? "?" : value.asText();
    }

    /**
     * The exception and the first message found down its causes. HttpClient can give a failed connect no message at
     * all (on a refused one: a ConnectException, caused by another, caused by a ClosedChannelException).
     */
    /** Whether the TLS handshake failed (an untrusted or misnamed certificate). */
    private static boolean untrusted(final Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof javax.net.ssl.SSLHandshakeException) {
                return true;
            }
        }
        return false;
    }

    static String describe(final Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                return cause.getClass().getSimpleName() + ": " + cause.getMessage();
            }
        }
        if (error instanceof ConnectException) {
            return "could not connect (refused, or no route; the JDK gives no detail): is the node running, with "
                    + "its API on that address and port?";
        }
        return error.getClass().getSimpleName();
    }

    private static String shorten(final String body) {
        final String line = body.strip().replace('\n', ' ');
        return line.length() <= MAX_BODY_CHARS_SHOWN ? line : line.substring(0, MAX_BODY_CHARS_SHOWN) + "...";
    }
}
