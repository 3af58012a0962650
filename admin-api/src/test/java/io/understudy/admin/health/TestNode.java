package io.understudy.admin.health;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import io.understudy.admin.UnderstudyApplication;
import io.understudy.admin.UnderstudyConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A real node process in this JVM (the whole Dropwizard app on loopback, from test-primary.yml), one of a pair whose
 * ports are shared through {@link Ports}. Its config keys are set under its own system property prefix, so two nodes
 * can start in one JVM.
 */
public final class TestNode implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DropwizardTestSupport<UnderstudyConfiguration> app;
    private final Path events;
    private boolean running;

    private TestNode(final String id, final Path events, final List<ConfigOverride> overrides) {
        this.events = events;
        this.app = new DropwizardTestSupport<>(
                UnderstudyApplication.class,
                ResourceHelpers.resourceFilePath("test-primary.yml"),
                id,
                overrides.toArray(ConfigOverride[]::new));
    }

    /** Ports both nodes of a pair agree on; closing it stops every node it made (last first) and the stand-in app. */
    public static final class Ports implements AutoCloseable {
        public final int service = io.understudy.admin.TestPorts.free();
        public final int membershipA = io.understudy.admin.TestPorts.forMembership();
        public final int membershipB = io.understudy.admin.TestPorts.forMembership();
        public final int logger = io.understudy.admin.TestPorts.free();
        private final ServerSocket app = openApp();
        private final List<TestNode> nodes = new ArrayList<>();
        /** The pair's secret, one file both nodes read, as on a real pair. */
        private final Path secret = secretFile();

        /** The node on membershipA (id "node-a"), as {@code role}. */
        public TestNode nodeA(final String role, final String... settings) {
            return node("node-a", role, membershipA, settings);
        }

        /** The node on membershipB (id "node-b"), as {@code role}. */
        public TestNode nodeB(final String role, final String... settings) {
            return node("node-b", role, membershipB, settings);
        }

        private TestNode node(final String id, final String role, final int bindPort, final String... settings) {
            final Path events = tempDirectory(id);
            // One override a key (DropwizardTestSupport applies them in no set order): the test's settings win.
            final Map<String, String> values = new LinkedHashMap<>();
            put(
                    values,
                    "node.id",
                    id,
                    "node.role",
                    role,
                    "node.servicePort",
                    String.valueOf(service),
                    "node.appPort",
                    String.valueOf(app.getLocalPort()),
                    "node.membership.peers",
                    "127.0.0.1:" + membershipA + ",127.0.0.1:" + membershipB,
                    "node.membership.bindPort",
                    String.valueOf(bindPort),
                    "node.log.listenPort",
                    String.valueOf(logger),
                    "node.eventLog.directory",
                    events.toString(),
                    "node.tap.interface",
                    "lo",
                    "node.tap.bufferBytes",
                    "1048576",
                    "node.app.check.type",
                    "none", // the test's app never accepts: checks would fill its backlog
                    "node.security.insecure",
                    "false",
                    "node.security.secretFile",
                    secret.toString());
            put(values, settings);
            final List<ConfigOverride> overrides = new ArrayList<>();
            values.forEach((key, value) -> overrides.add(ConfigOverride.config(id, key, value)));
            final TestNode node = new TestNode(id, events, overrides);
            nodes.add(0, node);
            return node;
        }

        private static void put(final Map<String, String> values, final String... pairs) {
            for (int i = 0; i < pairs.length; i += 2) {
                values.put(pairs[i], pairs[i + 1]);
            }
        }

        @Override
        public void close() throws IOException {
            for (final TestNode node : nodes) {
                node.close();
            }
            app.close();
        }
    }

    /** The base URL of the node's API, as an operator's command takes it. */
    public String apiUrl() {
        return "http://127.0.0.1:" + app.getLocalPort() + "/";
    }

    /** The node's metric registry (every metric it exports, whether or not it has a value now). */
    public com.codahale.metrics.MetricRegistry metrics() {
        return app.getEnvironment().metrics();
    }

    /** Starts the node: returns once its role has started (relay accepting or tap capturing) and Jetty listens. */
    public TestNode start() throws Exception {
        app.before();
        running = true;
        return this;
    }

    /** Stops the node gracefully (the peer sees it leave) and deletes its event log; again, does nothing. */
    @Override
    public void close() throws IOException {
        if (running) {
            running = false;
            app.after();
        }
        if (!Files.exists(events)) {
            return;
        }
        try (Stream<Path> files = Files.walk(events)) {
            for (final Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** GET /healthcheck on the admin port: each check's entry ({"healthy": ..., "message": ...}). */
    public Map<String, Map<String, Object>> health() {
        return readJson(get(app.getAdminPort(), "/healthcheck").body(), new TypeReference<>() {});
    }

    /** One check's entry of {@link #health()}. */
    public Map<String, Object> health(final String check) {
        return health().get(check);
    }

    /** Polls one check until {@code until} holds or 15 s pass; returns the last entry. */
    public Map<String, Object> awaitHealth(final String check, final Predicate<Map<String, Object>> until) {
        final long deadlineNs = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Map<String, Object> entry = health(check);
        while (!until.test(entry) && System.nanoTime() < deadlineNs) {
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            entry = health(check);
        }
        return entry;
    }

    /** GET /status on the API port, as JSON. */
    public Map<String, Object> status() {
        return readJson(get(app.getLocalPort(), "/status").body(), new TypeReference<>() {});
    }

    /** GET a path of the admin port. */
    public HttpResponse<String> admin(final String path) {
        return get(app.getAdminPort(), path);
    }

    /** A request without a body to a path of the admin port. */
    public HttpResponse<String> admin(final String method, final String path) {
        return send(app.getAdminPort(), method, path, null);
    }

    /** A request without a body to a path of the API port, with {@code Authorization: Bearer token} unless null. */
    public HttpResponse<String> api(final String method, final String path, final String token) {
        return send(app.getLocalPort(), method, path, token);
    }

    private static HttpResponse<String> get(final int port, final String path) {
        return send(port, "GET", path, null);
    }

    private static HttpResponse<String> send(
            final int port, final String method, final String path, final String token) {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        try {
            return HTTP.send(
                    token == null
                            ? request.build()
                            : request.header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static <T> T readJson(final String body, final TypeReference<T> type) {
        try {
            return JSON.readValue(body, type);
        } catch (final IOException ex) {
            throw new UncheckedIOException("not JSON: " + body, ex);
        }
    }

    /** Whether this JVM may capture (a backup's tap): root, as in CI and the lab. */
    public static boolean canCapture() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (final IOException | UnsupportedOperationException ex) {
            return false;
        }
    }

    private static Path secretFile() {
        try {
            final Path file = Files.createTempFile(
                    "understudy-pair",
                    ".secret",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, io.understudy.admin.security.PairSecret.generate());
            file.toFile().deleteOnExit();
            return file;
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static Path tempDirectory(final String id) {
        try {
            return Files.createTempDirectory("understudy-" + id + "-events");
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static ServerSocket openApp() {
        try {
            return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
