package io.understudy.ops.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drives {@code ops/lab} for system tests, exactly as an operator would, under a prefix of its own so a lab an operator
 * left up is never touched.
 */
final class Lab {
    static final String PREFIX = "ust";
    static final String CLIENT = "client";
    static final String PRIMARY = "primary";
    static final String BACKUP = "backup";
    static final String VIP = "198.18.0.100";
    static final Path REPO = findRepo();
    static final Path OPS_JAR = REPO.resolve("ops/target/understudy-ops.jar");
    static final Path TEST_CLASSES = REPO.resolve("ops/target/test-classes");

    /** What a command did. */
    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private Lab() {}

    static Result lab(final Duration timeout, final String... args) {
        final List<String> command = new ArrayList<>();
        command.add(REPO.resolve("ops/lab").toString());
        command.addAll(List.of(args));
        return run(timeout, command);
    }

    static Result up() {
        return expectOk(lab(Duration.ofSeconds(60), "up"));
    }

    static Result down() {
        return expectOk(lab(Duration.ofSeconds(60), "down"));
    }

    /**
     * {@code ops/lab start} with the app and its ports; {@code extraArgs} go on the command line after them, e.g.
     * {@code "--mode", "replay"} or {@code "--commit", "sync"}.
     */
    static Result start(final String app, final int appPort, final int servicePort, final String... extraArgs) {
        final List<String> args = new ArrayList<>(List.of(
                "start",
                "--app",
                app,
                "--app-port",
                String.valueOf(appPort),
                "--service-port",
                String.valueOf(servicePort)));
        args.addAll(List.of(extraArgs));
        return expectOk(lab(Duration.ofSeconds(120), args.toArray(String[]::new)));
    }

    static final int DEMO_APP_PORT = 7000;
    static final int DEMO_SERVICE_PORT = 7070;
    static final int REDIS_APP_PORT = 6390;
    static final int REDIS_SERVICE_PORT = 6379;
    static final int NGINX_APP_PORT = 8090;
    static final int NGINX_SERVICE_PORT = 80;
    /** memcached's own port on 127.0.0.1; the VIP's service port is the same, on another address. */
    static final int MEMCACHED_APP_PORT = 11211;

    static final int MEMCACHED_SERVICE_PORT = 11211;
    static final int POSTGRES_APP_PORT = 5499;
    static final int POSTGRES_SERVICE_PORT = 5432;

    /**
     * The bundled demo service under Understudy: app on 127.0.0.1:7000, clients on VIP:7070, its app check
     * ({@link #DEMO_CHECK}); {@code extraArgs} as in {@link #start}.
     */
    static Result startDemoService(final String... extraArgs) {
        return start(
                "java -Xmx128m -jar " + OPS_JAR + " demo-service --port " + DEMO_APP_PORT,
                DEMO_APP_PORT,
                DEMO_SERVICE_PORT,
                withArgs(DEMO_CHECK, extraArgs));
    }

    /** The demo service's app check: STATS on a new connection is answered "1 connections=...". */
    static final String[] DEMO_CHECK = {"--app-check-send", "STATS\\n", "--app-check-expect", "1 connections="};
    /** redis-server's app check: PING answered by +PONG. */
    static final String[] REDIS_CHECK = {"--app-check-send", "PING\\r\\n", "--app-check-expect", "+PONG"};

    private static String[] withArgs(final String[] first, final String[] then) {
        final List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(then));
        return all.toArray(String[]::new);
    }

    /**
     * redis-server under Understudy: app on 127.0.0.1:6390, clients on VIP:6379, its app check
     * ({@link #REDIS_CHECK}); {@code extraArgs} as in {@link #start}.
     */
    static Result startRedis(final String... extraArgs) {
        return start(
                "redis-server --port " + REDIS_APP_PORT + " --bind 127.0.0.1 --save '' --appendonly no",
                REDIS_APP_PORT,
                REDIS_SERVICE_PORT,
                withArgs(REDIS_CHECK, extraArgs));
    }

    /** memcached's app check: version answered by "VERSION" and its version number. */
    static final String[] MEMCACHED_CHECK = {"--app-check-send", "version\\r\\n", "--app-check-expect", "VERSION"};

    /**
     * memcached under Understudy: app on 127.0.0.1:11211 (one worker thread, no UDP; -u root, without which memcached
     * refuses to run as the lab's root), clients on VIP:11211, its app check ({@link #MEMCACHED_CHECK});
     * {@code extraArgs} as in {@link #start}.
     */
    static Result startMemcached(final String... extraArgs) {
        return start(
                "exec memcached -p " + MEMCACHED_APP_PORT + " -l 127.0.0.1 -U 0 -t 1 -u root",
                MEMCACHED_APP_PORT,
                MEMCACHED_SERVICE_PORT,
                withArgs(MEMCACHED_CHECK, extraArgs));
    }

    /** nginx's app check: GET /check answered by a 200 status line. */
    static final String[] NGINX_CHECK = {
        "--app-check-send", "GET /check HTTP/1.1\\r\\nHost: lab\\r\\n\\r\\n", "--app-check-expect", "HTTP/1.1 200"
    };

    /**
     * nginx under Understudy (ops/lab.d/nginx.conf: one worker, keep-alive, every body the connection's request count
     * then the same 4 KiB): app on 127.0.0.1:8090, clients on VIP:80, each host's nginx under a directory of its own in
     * the lab's state (the hosts share one file system); {@code extraArgs} as in {@link #start}.
     */
    static Result startNginx(final String... extraArgs) {
        final String prefix = "/run/understudy-lab/" + PREFIX + "/nginx-$(ip netns identify)";
        return start(
                "mkdir -p " + prefix + "/tmp && exec nginx -p " + prefix + "/ -e stderr -c "
                        + REPO.resolve("ops/lab.d/nginx.conf") + " -g 'daemon off;'",
                NGINX_APP_PORT,
                NGINX_SERVICE_PORT,
                withArgs(NGINX_CHECK, extraArgs));
    }

    /**
     * PostgreSQL under Understudy (ops/lab.d/postgres-app.sh: a cluster per host made at its first start, superuser
     * postgres, trust authentication): app on 127.0.0.1:5499, clients on VIP:5432, each host's cluster under a
     * directory of its own in the lab's state; no app check (PostgreSQL answers no text probe); {@code extraArgs} as in
     * {@link #start}.
     */
    static Result startPostgres(final String... extraArgs) {
        return start(postgresApp(""), POSTGRES_APP_PORT, POSTGRES_SERVICE_PORT, extraArgs);
    }

    /** The password of user postgres in {@link #startPostgresScramWithShim}'s servers. */
    static final String POSTGRES_PASSWORD = "understudy-lab";

    /**
     * As {@link #startPostgres}, with SCRAM-SHA-256 authentication (postgres's password {@link #POSTGRES_PASSWORD},
     * the same verifier on both hosts), and each host's server run with the understudy-shim (ops/shim, built into
     * ops/target/shim), which asks its node's seed socket ({@code $STATE/seed-NS.sock}, replica.seedSocket) for
     * each connection's random draws.
     */
    static Result startPostgresScramWithShim(final String... extraArgs) {
        final String shim = "UNDERSTUDY_SHIM_SOCKET=/run/understudy-lab/" + PREFIX + "/seed-$(ip netns identify).sock "
                + "LD_PRELOAD=" + REPO.resolve("ops/target/shim/libunderstudy-shim.so") + " ";
        return start(postgresApp(shim) + " scram", POSTGRES_APP_PORT, POSTGRES_SERVICE_PORT, extraArgs);
    }

    private static String postgresApp(final String environment) {
        final String dir = "/run/understudy-lab/" + PREFIX + "/postgres-$(ip netns identify)";
        return environment + "exec " + REPO.resolve("ops/lab.d/postgres-app.sh") + " " + dir + " " + POSTGRES_APP_PORT;
    }

    /** start's {@code --fence lab} (extraArgs of {@link #start}): the nodes' fence command runs ops/lab fence PEER. */
    static final String[] FENCE_LAB = {"--fence", "lab"};
    /** start's {@code --fence none}: the nodes get UNDERSTUDY_FENCE=none and take over without fencing. */
    static final String[] FENCE_NONE = {"--fence", "none"};
    /** start's {@code --fence fail}: the nodes' fence command fails (exit 1), as a fencing device that is down. */
    static final String[] FENCE_FAIL = {"--fence", "fail"};

    /**
     * {@code ops/lab fence HOST}, as a node's fence command would: HOST's bridge port down, every process in its
     * namespace SIGKILLed, the VIP off its eth0. Prints one line with the time.
     */
    static Result fence(final String host) {
        return expectOk(lab(Duration.ofSeconds(30), "fence", host));
    }

    /** {@code ops/lab fail pause}: the VIP holder off the LAN and all its processes stopped, until {@link #resume}. */
    static Result pause() {
        return expectOk(lab(Duration.ofSeconds(30), "fail", "pause"));
    }

    /** {@code ops/lab fail backup-cut}: the bridge port of the server not holding the VIP down; nothing stopped. */
    static Result backupCut() {
        return expectOk(lab(Duration.ofSeconds(30), "fail", "backup-cut"));
    }

    /** {@code ops/lab fail api-block HOST}: TCP to and from HOST's admin API (port 8080) dropped on the bridge. */
    static Result apiBlock(final String host) {
        return expectOk(lab(Duration.ofSeconds(30), "fail", "api-block", host));
    }

    /** {@code ops/lab resume}: undoes pause, backup-cut or api-block without restarting anything. */
    static Result resume() {
        return expectOk(lab(Duration.ofSeconds(30), "resume"));
    }

    /** {@code ops/lab tap-loss PERCENT}: the backup's tap loses that share of the service frames. */
    static Result tapLoss(final int percent) {
        return expectOk(lab(Duration.ofSeconds(30), "tap-loss", String.valueOf(percent)));
    }

    /** Ends the tap loss ({@code ops/lab tap-loss off}). */
    static Result tapLossOff() {
        return expectOk(lab(Duration.ofSeconds(30), "tap-loss", "off"));
    }

    /** How many frames the tap loss has dropped so far, from {@code ops/lab status --json}. */
    static long tapLossDropped() {
        final com.fasterxml.jackson.databind.JsonNode tapLoss = status().get("tap_loss");
        if (!tapLoss.get("in_effect").asBoolean()) {
            throw new AssertionError("no tap loss in effect: " + tapLoss);
        }
        return tapLoss.get("dropped").asLong();
    }

    /** Runs a command inside one lab host. */
    static Result exec(final String host, final Duration timeout, final String... command) {
        final List<String> args = new ArrayList<>(List.of("exec", host));
        args.addAll(List.of(command));
        return lab(timeout, args.toArray(String[]::new));
    }

    /** Runs the ops jar (demo service, load generator) inside one lab host. */
    /** Variables (NAME=value) the ops jar's processes get, e.g. PGPASSWORD for loadgen; reset after each class. */
    private static volatile List<String> opsJarEnv = List.of();

    /** Sets {@link #opsJarEnv}: every later {@link #execOpsJar} runs under {@code env} with these assignments. */
    static void opsJarEnv(final String... assignments) {
        opsJarEnv = List.of(assignments);
    }

    static Result execOpsJar(final String host, final Duration timeout, final String... args) {
        final List<String> command = new ArrayList<>();
        if (!opsJarEnv.isEmpty()) {
            command.add("env");
            command.addAll(opsJarEnv);
        }
        command.addAll(List.of("java", "-Xmx256m", "-jar", OPS_JAR.toString()));
        command.addAll(List.of(args));
        return exec(host, timeout, command.toArray(String[]::new));
    }

    /** Runs {@link LabProbe} inside one lab host. */
    static Result probe(final String host, final String... args) {
        final List<String> command =
                new ArrayList<>(List.of("java", "-Xmx64m", "-cp", TEST_CLASSES.toString(), LabProbe.class.getName()));
        command.addAll(List.of(args));
        return exec(host, Duration.ofSeconds(60), command.toArray(String[]::new));
    }

    /** A node's admin API, "http://ADDRESS:8080" (its LAN address, no trailing slash). */
    static String apiUrl(final String host) {
        return "http://" + (PRIMARY.equals(host) ? "198.18.0.2" : "198.18.0.3") + ":8080";
    }

    /**
     * GET a path of a node's admin API (port 8080 on its LAN address), from inside that node's host. Retried twice, a
     * second apart, on any failure: a GET changes nothing, and one right after the node's link came back was once
     * reset (curl 56) while the node was fine.
     */
    static com.fasterxml.jackson.databind.JsonNode api(final String host, final String path) {
        final Result result = expectOk(exec(
                host,
                Duration.ofSeconds(30),
                "curl",
                "-sS",
                "--fail-with-body",
                "--retry",
                "2",
                "--retry-delay",
                "1",
                "--retry-all-errors",
                apiUrl(host) + path));
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(result.stdout());
        } catch (final java.io.IOException ex) {
            throw new AssertionError("not JSON from " + host + " " + path + ": " + result, ex);
        }
    }

    /** The nodes' drill token file, from {@code ops/lab status --json}: the lab never prints the token itself. */
    static Path drillTokenFile() {
        final com.fasterxml.jackson.databind.JsonNode file = status().get("drill_token_file");
        if (file == null || !file.isTextual()) {
            throw new AssertionError("no drill_token_file in ops/lab status --json (not started?): " + file);
        }
        return Path.of(file.asText());
    }

    /** The nodes' drill token, read from {@link #drillTokenFile()}. */
    static String drillToken() {
        try {
            return Files.readString(drillTokenFile()).strip();
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A request from inside {@code host} with {@code Authorization: Bearer <the token in tokenFile>}: curl gets the
     * header on stdin, so the token is on no command line. Returns "STATUS BODY".
     */
    static String requestWithToken(final String host, final String method, final String url, final Path tokenFile) {
        // ip netns exec, not ops/lab exec: the request leaves within milliseconds (tests time faults against it).
        final Result result = expectOk(run(
                Duration.ofSeconds(60),
                List.of(
                        "ip",
                        "netns",
                        "exec",
                        PREFIX + "-" + host,
                        "bash",
                        "-c",
                        "printf 'header = \"Authorization: Bearer %s\"\\n' \"$(cat \"$1\")\" | "
                                + "curl -s -X \"$2\" --max-time 50 --config - -w '\\n%{http_code}' \"$3\"",
                        "request",
                        tokenFile.toString(),
                        method,
                        url)));
        final String out = result.stdout().strip();
        final int newline = out.lastIndexOf('\n');
        return out.substring(newline + 1) + " " + (newline < 0 ? "" : out.substring(0, newline));
    }

    /** The environment the node process on {@code host} was started with, one VAR=value a line. */
    static String nodeEnvironment(final String host) {
        final com.fasterxml.jackson.databind.JsonNode node = status().at("/hosts/" + host + "/processes/node");
        if (!node.path("alive").asBoolean()) {
            throw new AssertionError("node on " + host + " is not alive: " + node);
        }
        try {
            final byte[] environ =
                    Files.readAllBytes(Path.of("/proc", node.get("pid").asText(), "environ"));
            return new String(environ, StandardCharsets.UTF_8).replace('\0', '\n');
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Who holds the VIP now, from {@code ops/lab status --json}. */
    static String vipHolder() {
        return status().get("vip_holder").asText();
    }

    /** {@code ops/lab status --json}. */
    static com.fasterxml.jackson.databind.JsonNode status() {
        final Result result = expectOk(lab(Duration.ofSeconds(30), "status", "--json"));
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(result.stdout());
        } catch (final java.io.IOException ex) {
            throw new AssertionError("ops/lab status --json printed no JSON: " + result, ex);
        }
    }

    /** The lab's report for a failed test: status and every node log. */
    static String diagnostics() {
        final StringBuilder out = new StringBuilder();
        out.append(lab(Duration.ofSeconds(20), "status"));
        for (final String host : List.of(PRIMARY, BACKUP)) {
            out.append("\n===== ops/lab logs ")
                    .append(host)
                    .append('\n')
                    .append(lab(Duration.ofSeconds(20), "logs", host));
        }
        return out.toString();
    }

    static Result run(final Duration timeout, final List<String> command) {
        final ProcessBuilder builder = new ProcessBuilder(command).directory(REPO.toFile());
        builder.environment().put("UNDERSTUDY_LAB", PREFIX);
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            final Process process = builder.start();
            final CompletableFuture<String> stdout = drain(process.getInputStream());
            final CompletableFuture<String> stderr = drain(process.getErrorStream());
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(process.exitValue(), stdout.join(), stderr.join());
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, ex);
        }
    }

    static Result expectOk(final Result result) {
        if (result.exitCode() != 0) {
            throw new AssertionError("ops/lab failed: " + result);
        }
        return result;
    }

    /** Namespaces whose names start with the test prefix: none may be left after {@code down}. */
    static List<String> leftoverNamespaces() {
        final Result result = run(Duration.ofSeconds(10), List.of("ip", "netns", "list"));
        return result.stdout()
                .lines()
                .map(line -> line.split(" ")[0])
                .filter(name -> name.startsWith(PREFIX + "-"))
                .toList();
    }

    private static CompletableFuture<String> drain(final InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (final IOException ex) {
                return "(unreadable: " + ex.getMessage() + ")";
            }
        });
    }

    private static Path findRepo() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("ops/lab"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cannot find the repository (no ops/lab above "
                    + Path.of("").toAbsolutePath() + ")");
        }
        return dir;
    }
}
