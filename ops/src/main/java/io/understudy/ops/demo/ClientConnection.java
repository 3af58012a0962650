package io.understudy.ops.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one client of the demo service on its own thread: reads request lines and writes one numbered reply per
 * line, in order, each flushed on its own so pipelined requests get their replies without waiting for more input.
 */
final class ClientConnection implements Runnable {
    static final int MAX_LINE_BYTES = 64 * 1024;
    /** How long a closing connection keeps reading so that unread input does not turn the FIN into an RST. */
    static final int CLOSE_DRAIN_MS = 2000;

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    private final Socket socket;
    private final long connectionId;
    private final String serverName;
    private final RequestHandler handler;
    private final ServerCounters counters;
    private final Runnable onEnd;
    private long requestCount;

    ClientConnection(
            final Socket socket,
            final long connectionId,
            final String serverName,
            final RequestHandler handler,
            final ServerCounters counters,
            final Runnable onEnd) {
        this.socket = socket;
        this.connectionId = connectionId;
        this.serverName = serverName;
        this.handler = handler;
        this.counters = counters;
        this.onEnd = onEnd;
    }

    @Override
    public void run() {
        String outcome = "closed";
        boolean resetByPeer = false;
        try {
            outcome = serve();
        } catch (final IOException ex) {
            resetByPeer = isResetByPeer(ex);
            outcome = resetByPeer ? "reset by client (" + ex.getMessage() + ")" : "failed: " + ex;
        } finally {
            closeQuietly();
            final int open = counters.onClosed(resetByPeer);
            onEnd.run();
            LOG.info(
                    "demo-service {} connection {} from {} ended: {} after {} requests (open={})",
                    serverName,
                    connectionId,
                    socket.getRemoteSocketAddress(),
                    outcome,
                    requestCount,
                    open);
        }
    }

    /** @return how the connection ended, for the log */
    private String serve() throws IOException {
        final RequestLineReader reader = new RequestLineReader(socket.getInputStream(), MAX_LINE_BYTES);
        final OutputStream out = socket.getOutputStream();
        while (true) {
            final String line;
            try {
                line = reader.readLine();
            } catch (final LineTooLongException ex) {
                write(out, ++requestCount + " ERR line too long\n");
                closeAfterLastReply();
                return "closed: " + ex.getMessage();
            }
            if (line == null) {
                return "closed by client";
            }
            final Reply reply = handler.handle(line);
            ++requestCount;
            if (reply.after() == Reply.AfterReply.ABORT) {
                socket.setSoLinger(true, 0);
                socket.close();
                return "aborted with RST on RESET";
            }
            write(out, requestCount + " " + reply.result() + "\n");
            if (reply.after() == Reply.AfterReply.CLOSE) {
                closeAfterLastReply();
                return "closed on QUIT";
            }
        }
    }

    private static void write(final OutputStream out, final String reply) throws IOException {
        out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /**
     * Sends the FIN right behind the last reply, then reads and drops input until the client closes or the drain time
     * ends: closing a socket with unread input makes the kernel send an RST, which can destroy the reply in flight.
     */
    private void closeAfterLastReply() throws IOException {
        socket.shutdownOutput();
        final InputStream in = socket.getInputStream();
        final byte[] discard = new byte[8192];
        final long deadlineNs = System.nanoTime() + CLOSE_DRAIN_MS * 1_000_000L;
        try {
            long remainingNs;
            while ((remainingNs = deadlineNs - System.nanoTime()) > 0) {
                socket.setSoTimeout((int) Math.max(1, remainingNs / 1_000_000));
                if (in.read(discard) < 0) {
                    return;
                }
            }
        } catch (final SocketTimeoutException ex) {
            // The client kept the connection open: close anyway, the drain was only a courtesy.
        }
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (final IOException ex) {
            LOG.warn("demo-service {} connection {} close failed: {}", serverName, connectionId, ex.toString());
        }
    }

    /** A read or write fails this way when the peer sent a TCP RST. */
    static boolean isResetByPeer(final IOException ex) {
        final String message = ex.getMessage();
        if (message == null) {
            return false;
        }
        final String lower = message.toLowerCase(Locale.ROOT);
        return lower.contains("connection reset") || lower.contains("broken pipe");
    }
}
