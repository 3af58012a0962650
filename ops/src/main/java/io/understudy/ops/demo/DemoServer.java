package io.understudy.ops.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo key-value service: accepts connections and serves each on its own thread against one shared store.
 * Deterministic by design, so a client can tell from the replies alone whether a byte was lost, doubled or reordered.
 */
final class DemoServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoServer.class);
    private static final int ACCEPT_BACKLOG = 128;

    private final InetAddress bindAddress;
    private final int requestedPort;
    private final ServerCounters counters = new ServerCounters();
    private final RequestHandler handler = new RequestHandler(new KeyValueStore(), counters);
    private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile ServerSocket serverSocket;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile String name;
    private volatile IOException acceptFailure;

    /** @param requestedPort the port to listen on, 0 for any free port */
    DemoServer(final InetAddress bindAddress, final int requestedPort) {
        this.bindAddress = bindAddress;
        this.requestedPort = requestedPort;
        this.name = bindAddress.getHostAddress() + ":" + requestedPort;
    }

    /**
     * Binds and starts accepting on a background thread.
     *
     * @return the port actually bound
     */
    int start() throws IOException {
        final ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(bindAddress, requestedPort), ACCEPT_BACKLOG);
        serverSocket = socket;
        name = bindAddress.getHostAddress() + ":" + socket.getLocalPort();
        final Thread acceptor = new Thread(this::acceptLoop, "demo-accept-" + socket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("demo-service {} listening", name);
        return socket.getLocalPort();
    }

    ServerCounters counters() {
        return counters;
    }

    /**
     * Blocks until the server is closed, by {@link #close()} or by a failure of the listening socket.
     *
     * @throws IOException the failure that closed the listening socket, if that is why it closed
     */
    void awaitClosed() throws InterruptedException, IOException {
        closed.await();
        if (acceptFailure != null) {
            throw acceptFailure;
        }
    }

    private void acceptLoop() {
        long connectionId = 0;
        try {
            while (!closing.get()) {
                final Socket socket = serverSocket.accept();
                onAccepted(socket, ++connectionId);
            }
        } catch (final IOException ex) {
            if (!closing.get()) {
                acceptFailure = ex;
                LOG.error("demo-service {} accept failed, closing the service", name, ex);
            }
        } finally {
            close();
        }
    }

    private void onAccepted(final Socket socket, final long connectionId) {
        try {
            // Replies are small and sent one per request: Nagle would hold the second of two pipelined replies back.
            socket.setTcpNoDelay(true);
        } catch (final IOException ex) {
            // A client that is already gone fails its first read and is logged and counted there.
            LOG.warn("demo-service {} connection {} setup failed: {}", name, connectionId, ex.toString());
        }
        openSockets.add(socket);
        if (closing.get()) {
            // close() may have swept the open sockets just before this one was added.
            closeQuietly(socket);
        }
        final int open = counters.onAccepted();
        LOG.info(
                "demo-service {} connection {} opened from {} (open={})",
                name,
                connectionId,
                socket.getRemoteSocketAddress(),
                open);
        final ClientConnection connection =
                new ClientConnection(socket, connectionId, name, handler, counters, () -> openSockets.remove(socket));
        final Thread thread = new Thread(connection, "demo-connection-" + connectionId);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops accepting and closes every open connection; safe to call more than once. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(serverSocket);
        openSockets.forEach(DemoServer::closeQuietly);
        LOG.info("demo-service {} closed", name);
        closed.countDown();
    }

    private static void closeQuietly(final AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (final Exception ex) {
            LOG.warn("demo-service close of {} failed: {}", closeable, ex.toString());
        }
    }
}
