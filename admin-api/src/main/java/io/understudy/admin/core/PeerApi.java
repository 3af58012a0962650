package io.understudy.admin.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.understudy.admin.api.FailoverReport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The peer node's admin API, as a drill uses it: tell the backup to take over now, read its status.
 */
final class PeerApi {
    private static final ObjectMapper JSON = Jackson.newObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PeerApi.class);

    private final URI base;
    private final String token;
    /** One client for the node's life: building one loads TLS and a thread pool, too slow for a handover's path. */
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final HttpClient http;

    /** Plain HTTP. */
    PeerApi(final URI base, final String token) {
        this(base, token, HTTP);
    }

    /** @param http the node's one client for its peer (with TLS: trusting the pinned certificates). */
    PeerApi(final URI base, final String token, final HttpClient http) {
        this.base = base;
        this.token = token;
        this.http = http;
    }

    /**
     * Reads the peer's status once, as soon as it answers (for up to a minute, on the calling thread): the first
     * request through the JDK's HTTP client loads its classes, which took ~300 ms on a loaded lab host, on a
     * handover's path.
     */
    static void warmUp(final java.util.function.Supplier<PeerApi> peer) {
        final long deadlineNs = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadlineNs && !Thread.currentThread().isInterrupted()) {
            try {
                peer.get().status(Duration.ofSeconds(2));
                return;
            } catch (final IOException | RuntimeException ex) {
                try {
                    Thread.sleep(1000);
                } catch (final InterruptedException stop) {
                    return;
                }
            } catch (final InterruptedException ex) {
                return;
            }
        }
    }

    /**
     * Whether the peer serves now (it took over, whatever its answer to a request said): then the caller must never
     * take the service address back. Returns its failover report when it serves.
     */
    java.util.Optional<FailoverReport> servesNow(final String nodeId) {
        try {
            final JsonNode status = status(Duration.ofSeconds(2));
            final JsonNode last = status.path("lastFailover");
            if ("PRIMARY".equals(status.path("role").asText())
                    && status.path("holdsServiceAddress").asBoolean()
                    && !last.isMissingNode()
                    && !last.isNull()) {
                LOG.warn(
                        "[{}] the backup's answer was an error, but it serves now: not taking the address back",
                        nodeId);
                return java.util.Optional.of(failoverReport(last));
            }
        } catch (final IOException ex) {
            LOG.warn("[{}] cannot read the backup's status ({}): taking the address back", nodeId, ex.getMessage());
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return java.util.Optional.empty();
    }

    URI base() {
        return base;
    }

    /**
     * POST /drills/expect-crash: tells the backup a crash drill starts, so that its takeover within the window does
     * not fence this node (which gave the address up itself).
     */
    void expectCrashDrill(final String from, final long windowMs) throws IOException, InterruptedException {
        final HttpRequest request = HttpRequest.newBuilder(base.resolve("/drills/expect-crash?from="
                        + java.net.URLEncoder.encode(from, StandardCharsets.UTF_8) + "&windowMs=" + windowMs))
                .timeout(Duration.ofSeconds(2))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        final HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 204 && response.statusCode() != 200) {
            throw new IOException("the backup at " + base + " refused the crash drill: HTTP " + response.statusCode()
                    + " " + response.body());
        }
    }

    /**
     * POST /drills/takeover: the backup takes the service over at once and answers with its failover report. The
     * backup makes no claim after {@code timeout} (budgetMs): past it, the caller may act on the backup's status.
     */
    FailoverReport takeOver(final String from, final String why, final Duration timeout)
            throws IOException, InterruptedException {
        final HttpRequest request = HttpRequest.newBuilder(
                        base.resolve("/drills/takeover?from=" + java.net.URLEncoder.encode(from, StandardCharsets.UTF_8)
                                + "&why=" + java.net.URLEncoder.encode(why, StandardCharsets.UTF_8)
                                + "&budgetMs=" + timeout.toMillis()))
                .timeout(timeout.plusSeconds(1))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        final HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("the backup at " + base + " refused to take over: HTTP " + response.statusCode() + " "
                    + response.body());
        }
        return JSON.readValue(response.body(), FailoverReport.class);
    }

    /** A failover report as GET /status shows it under lastFailover. */
    static FailoverReport failoverReport(final JsonNode report) throws IOException {
        return JSON.treeToValue(report, FailoverReport.class);
    }

    /**
     * GET /status, after a bare TCP connect to the API that must succeed within {@code connectTimeout}: a live host's
     * kernel answers a SYN at once, even while the JVM behind it is busy, so a host that does not is taken as
     * unreachable within that time, not after the whole request's timeout (the JDK client may also send the request
     * on a kept-alive connection to a dead host and wait the timeout out).
     */
    JsonNode status(final Duration timeout, final Duration connectTimeout) throws IOException, InterruptedException {
        try (java.net.Socket socket = new java.net.Socket()) {
            final int port = base.getPort() >= 0 ? base.getPort() : "https".equals(base.getScheme()) ? 443 : 80;
            socket.connect(
                    new java.net.InetSocketAddress(base.getHost(), port), (int) Math.max(1, connectTimeout.toMillis()));
        } catch (final IOException ex) {
            throw new IOException(
                    "the peer's API at " + base + " did not accept a connection within " + connectTimeout.toMillis()
                            + " ms: " + ex.getMessage(),
                    ex);
        }
        return status(timeout);
    }

    /** GET /status. */
    JsonNode status(final Duration timeout) throws IOException, InterruptedException {
        return io.understudy.admin.api.StatusReader.read(http, base.resolve("/status"), timeout, JSON);
    }
}
