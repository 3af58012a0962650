package io.understudy.admin.core;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of the app's understudy-shim ({@code ops/shim}, {@code replica.seedSocket}): on a local socket,
 * answers "SEED port" with the seed of the client connection whose app-side socket has that port (the relay's on a
 * primary, the replica's on a backup), so the app's random draws for one connection agree on both nodes.
 *
 * <pre>
 *   request   SEED &lt;port&gt;\n          the app-side peer port of the caller's connection, 1-65535
 *   answer    SEED &lt;64 hex&gt;\n        HMAC-SHA256(the pair's app-seed key, the primary's connection id)
 *             NONE &lt;why&gt;\n          no such connection here within the wait, or a bad request
 * </pre>
 *
 * <p>The seed is the same on both nodes (the backup learns the primary's id of a connection from the read log, so it
 * waits up to {@code waitMs} for it), unknown to anyone without the pair's secret, and never the same for two
 * connections. The socket is created connectable by anyone: who may reach it is its directory's permissions, as with
 * PostgreSQL's own socket (README).
 */
final class SeedService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SeedService.class);
    private static final int MAX_REQUEST_BYTES = 32;
    private static final int MAX_THREADS = 8;
    private static final long POLL_MS = 5;
    /** A client that sends no whole request line in this time is dropped: it must not hold a worker. */
    private static final long READ_TIMEOUT_MS = 2_000;

    /** Where the seeds' connection ids come from: this node's relay or its replicas. */
    @FunctionalInterface
    interface ConnectionIds {
        /**
         * @return the primary's read-log id of the connection whose app-side socket has port; {@link #PENDING} when
         *     this node has the connection but not its id yet (a backup, before the read log's record of it); 0 when
         *     it has no such connection
         */
        long primaryIdOf(int appSidePort) throws IOException, InterruptedException;

        long PENDING = -1;
    }

    private final String nodeId;
    private final Path path;
    private final byte[] key;
    private final ConnectionIds ids;
    private final long waitMs;
    private final ServerSocketChannel server;
    private final ExecutorService workers;
    private final Thread acceptor;
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    private SeedService(
            final String nodeId,
            final Path path,
            final byte[] key,
            final ConnectionIds ids,
            final long waitMs,
            final ServerSocketChannel server) {
        this.nodeId = nodeId;
        this.path = path;
        this.key = key.clone();
        this.ids = ids;
        this.waitMs = waitMs;
        this.server = server;
        final AtomicInteger threads = new AtomicInteger();
        // A bounded pool: requests wait for their connection's id, and a flood of them must not start threads.
        this.workers = new ThreadPoolExecutor(
                MAX_THREADS, MAX_THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(256), task -> {
                    final Thread thread = new Thread(task, "seed-" + nodeId + "-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        ((ThreadPoolExecutor) workers).allowCoreThreadTimeOut(true);
        this.acceptor = new Thread(this::accept, "seed-" + nodeId + "-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Listens on path (a stale socket file there is replaced; any other file is refused).
     *
     * @throws IOException naming the path when it cannot listen there
     */
    static SeedService start(
            final String nodeId, final Path path, final byte[] key, final ConnectionIds ids, final long waitMs)
            throws IOException {
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!"socket".equals(fileType(path))) {
                throw new IOException("replica.seedSocket " + path + " exists and is not a socket: not replacing it");
            }
            Files.delete(path);
        }
        final ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (final IOException ex) {
            server.close();
            throw new IOException("cannot listen on replica.seedSocket " + path + ": " + ex.getMessage(), ex);
        }
        final SeedService service = new SeedService(nodeId, path, key, ids, waitMs, server);
        service.acceptor.start();
        LOG.info("[{}] handing the app's shim per-connection seeds on {}", nodeId, path);
        return service;
    }

    private static String fileType(final Path path) throws IOException {
        final Object type = Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        return (((Integer) type) & 0xF000) == 0xC000 ? "socket" : "other";
    }

    /** Seeds handed out so far. */
    int answered() {
        return answered.get();
    }

    /** Requests answered NONE so far. */
    int refused() {
        return refused.get();
    }

    /** The seed of the connection the primary logs as primaryId: 32 bytes. */
    static byte[] seed(final byte[] key, final long primaryId) {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(
                    ByteBuffer.allocate(Long.BYTES).putLong(primaryId).array());
        } catch (final GeneralSecurityException ex) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", ex);
        }
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                final SocketChannel client = server.accept();
                try {
                    workers.execute(() -> answer(client));
                } catch (final java.util.concurrent.RejectedExecutionException ex) {
                    refused.incrementAndGet();
                    client.close(); // more requests waiting than the pool holds: the shim falls back
                }
            } catch (final IOException ex) {
                if (server.isOpen()) {
                    LOG.warn("[{}] seed socket {}: {}", nodeId, path, ex.toString());
                }
                return;
            }
        }
    }

    private void answer(final SocketChannel client) {
        try (client) {
            final String request = readLine(client);
            final String reply = reply(request);
            client.configureBlocking(true);
            client.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.US_ASCII)));
        } catch (final IOException ex) {
            LOG.debug("[{}] seed request failed: {}", nodeId, ex.toString());
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** The answer to one request line (without its newline); never throws for bad input. */
    String reply(final String request) throws IOException, InterruptedException {
        final int port = parsePort(request);
        if (port < 0) {
            refused.incrementAndGet();
            return "NONE bad request: expected 'SEED <port 1-65535>'\n";
        }
        // A connection this node has waits for its id up to waitMs. One it does not have is answered at once: the
        // relay and the replica know their sockets by port before they connect, so the app cannot name a port of
        // theirs before it is known, and a connection of anyone else's (a health check, an operator's psql) must
        // not hold the app up (PostgreSQL's postmaster waits for the answer, alone).
        final long startNs = System.nanoTime();
        long primaryId = ids.primaryIdOf(port);
        while (primaryId == ConnectionIds.PENDING && System.nanoTime() - startNs < waitMs * 1_000_000L) {
            Thread.sleep(POLL_MS);
            primaryId = ids.primaryIdOf(port);
        }
        if (primaryId == ConnectionIds.PENDING) {
            refused.incrementAndGet();
            LOG.warn(
                    "[{}] no seed for app-side port {}: its connection was not matched in the read log within {} ms; "
                            + "its replica will differ and the connection go unprotected",
                    nodeId,
                    port,
                    waitMs);
            return "NONE the connection with app-side port " + port + " has no read-log id yet\n";
        }
        if (primaryId <= 0) {
            refused.incrementAndGet();
            LOG.debug("[{}] no seed for app-side port {}: no relayed or replica connection has it", nodeId, port);
            return "NONE no logged connection with app-side port " + port + " here\n";
        }
        answered.incrementAndGet();
        return "SEED " + HexFormat.of().formatHex(seed(key, primaryId)) + "\n";
    }

    private static int parsePort(final String request) {
        if (request == null || !request.startsWith("SEED ") || request.length() > 11) {
            return -1;
        }
        try {
            final int port = Integer.parseInt(request.substring(5));
            return port >= 1 && port <= 65_535 ? port : -1;
        } catch (final NumberFormatException ex) {
            return -1;
        }
    }

    /**
     * One request line, at most {@value #MAX_REQUEST_BYTES} bytes; null when the client sent none within
     * {@value #READ_TIMEOUT_MS} ms.
     */
    private static String readLine(final SocketChannel client) throws IOException {
        final ByteBuffer buffer = ByteBuffer.allocate(MAX_REQUEST_BYTES);
        client.configureBlocking(false);
        final long deadlineNs = System.nanoTime() + READ_TIMEOUT_MS * 1_000_000L;
        try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
            client.register(selector, java.nio.channels.SelectionKey.OP_READ);
            while (buffer.hasRemaining()) {
                final long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0 || selector.select(leftMs) == 0) {
                    return null;
                }
                selector.selectedKeys().clear();
                if (client.read(buffer) < 0) {
                    return null;
                }
                final String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
                final int end = text.indexOf('\n');
                if (end >= 0) {
                    return text.substring(0, end);
                }
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        workers.shutdownNow();
        Files.deleteIfExists(path);
    }
}
