package io.understudy.ops.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * A loopback server whose connections follow a script, to play a healthy or a misbehaving service for the load
 * generator. Each connection runs on its own daemon thread.
 */
final class TestServer implements AutoCloseable {
    /** Script answer: send no reply at all (the client times out). */
    static final String SILENCE = "<silence>";
    /** Script answer: abort the connection with a TCP RST instead of replying. */
    static final String ABORT = "<abort>";
    /** Script answer: close the connection normally (FIN) instead of replying. */
    static final String CLOSE = "<close>";

    /** The static part of an nginx-like HTTP body after its counter line: about 4 KiB, several lines. */
    static final String HTTP_PADDING = "padding line of a fixed body, the same in every reply\n".repeat(76);
    /** Between two pieces of one HTTP reply: long enough that the client reads them in separate reads. */
    private static final long PIECE_PAUSE_MS = 5;
    /** Every HTTP reply gets a Date of its own, as from a server whose clock moves between replies. */
    private static final AtomicLong HTTP_DATE_SECONDS = new AtomicLong(1_743_465_600L);

    /** Serves one accepted connection. */
    interface ConnectionScript {
        void serve(Socket socket) throws IOException;
    }

    private final ServerSocket serverSocket;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

    private TestServer(final ConnectionScript script) throws IOException {
        serverSocket = new ServerSocket();
        // Room for hundreds of connects at once: the default backlog of 50 drops SYNs, and a dropped one retries
        // only after 1 s, longer than a short run.
        serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        daemon(() -> acceptLoop(script), "test-server-accept").start();
    }

    static TestServer start(final ConnectionScript script) throws IOException {
        return new TestServer(script);
    }

    /**
     * A line-protocol server: request n (from 1) of each connection gets the line replyTo(n) followed by "\n", or
     * the action of {@link #SILENCE}, {@link #ABORT} or {@link #CLOSE}.
     */
    static TestServer lineServer(final IntFunction<String> replyTo) throws IOException {
        return start(socket -> {
            final BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            final OutputStream out = socket.getOutputStream();
            for (int request = 1; in.readLine() != null; request++) {
                final String reply = replyTo.apply(request);
                if (!act(socket, reply)) {
                    out.write((reply + "\n").getBytes(StandardCharsets.ISO_8859_1));
                }
            }
        });
    }

    /** A RESP server that implements INCR on its own map, which the test may seed. */
    static TestServer respIncrServer(final Map<String, Long> values) throws IOException {
        return respServer(key -> ":" + values.merge(key, 1L, Long::sum));
    }

    /** A RESP server that answers "INCR key" with replyTo(key) followed by "\r\n", anything else with an error. */
    static TestServer respServer(final Function<String, String> replyTo) throws IOException {
        return start(socket -> {
            final BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            final OutputStream out = socket.getOutputStream();
            String header;
            while ((header = in.readLine()) != null) {
                final String key = readIncrKey(header, in);
                final String reply = key == null ? "-ERR protocol error" : replyTo.apply(key);
                out.write((reply + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
        });
    }

    /**
     * A memcached text-protocol server on its own map, which the test may seed: "set key 0 0 N" and a data line of N
     * digits store that number ("STORED"), "incr key 1" adds one (the new value, or "NOT_FOUND" for a key it does not
     * hold), anything else gets "ERROR".
     */
    static TestServer memcachedServer(final Map<String, Long> values) throws IOException {
        return memcachedServer(values, (request, reply) -> List.of(reply));
    }

    /**
     * Like {@link #memcachedServer(Map)}, but request n (from 1, the set included) gets the pieces of send(n, reply)
     * instead of its reply (with the reply's "\r\n"), each in its own write a few ms apart; a piece may also be an
     * action, which ends the reply. send may change the map, as a server that loses or doubles an update would.
     */
    static TestServer memcachedServer(
            final Map<String, Long> values, final BiFunction<Integer, String, List<String>> send) throws IOException {
        return start(socket -> {
            socket.setTcpNoDelay(true);
            final BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            final OutputStream out = socket.getOutputStream();
            String command;
            for (int request = 1; (command = in.readLine()) != null; request++) {
                writePieces(socket, out, send.apply(request, memcachedReply(command, in, values) + "\r\n"));
            }
        });
    }

    /**
     * An HTTP/1.1 keep-alive server: request n (from 1) of each connection gets replyTo(n) as raw bytes, or the action
     * of {@link #SILENCE}, {@link #ABORT} or {@link #CLOSE}. A request other than "GET /key HTTP/1.1" with a Host
     * header gets a 400 reply.
     */
    static TestServer httpServer(final IntFunction<String> replyTo) throws IOException {
        return httpServerInPieces(request -> List.of(replyTo.apply(request)));
    }

    /**
     * Like {@link #httpServer}, but request n gets the pieces of replyTo(n) each in its own write, a few ms apart, so
     * that the client receives one reply in several reads; a piece may also be an action, which ends the reply.
     */
    static TestServer httpServerInPieces(final IntFunction<List<String>> replyTo) throws IOException {
        return start(socket -> {
            socket.setTcpNoDelay(true);
            final BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            final OutputStream out = socket.getOutputStream();
            String requestLine;
            for (int request = 1; (requestLine = in.readLine()) != null; request++) {
                final List<String> pieces = isGetWithHost(requestLine, in)
                        ? replyTo.apply(request)
                        : List.of(httpReply("400 Bad Request", "Content-Length: 0\r\n", ""));
                writePieces(socket, out, pieces);
            }
        });
    }

    /** @return nginx's reply to its "return 200 \"$connection_requests\n<padding>\"", with a Date of its own */
    static String httpOk(final long counter) {
        final String body = counter + "\n" + HTTP_PADDING;
        return httpReply(
                "200 OK",
                "Content-Type: text/plain\r\nContent-Length: " + body.length() + "\r\nConnection: keep-alive\r\n",
                body);
    }

    /**
     * @param headers the header lines after Server and Date, each ending in "\r\n"
     * @return the status line, the headers and body as one reply
     */
    static String httpReply(final String status, final String headers, final String body) {
        final String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                Instant.ofEpochSecond(HTTP_DATE_SECONDS.getAndAdd(86_401)).atOffset(ZoneOffset.UTC));
        return "HTTP/1.1 " + status + "\r\nServer: nginx/1.24.0\r\nDate: " + date + "\r\n" + headers + "\r\n" + body;
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        for (final Socket socket : sockets) {
            socket.close();
        }
    }

    /** @return the key of "*2 $4 INCR $len key", or null when the request is anything else */
    private static String readIncrKey(final String header, final BufferedReader in) throws IOException {
        final String length = header.equals("*2") && "$4".equals(in.readLine()) && "INCR".equals(in.readLine())
                ? in.readLine()
                : null;
        final String key = length == null ? null : in.readLine();
        return key != null && length.equals("$" + key.length()) ? key : null;
    }

    /** @return memcached's answer to a "set key 0 0 N" (whose data line it reads) or "incr key 1" on values */
    private static String memcachedReply(final String command, final BufferedReader in, final Map<String, Long> values)
            throws IOException {
        final String[] words = command.split(" ", -1);
        if (words.length == 5 && words[0].equals("set") && words[2].equals("0") && words[3].equals("0")) {
            final String data = in.readLine();
            if (data == null || !data.matches("\\d{1,18}") || !words[4].equals(String.valueOf(data.length()))) {
                return "CLIENT_ERROR bad data chunk";
            }
            values.put(words[1], Long.parseLong(data));
            return "STORED";
        }
        if (words.length == 3 && words[0].equals("incr") && words[2].equals("1")) {
            final Long value = values.computeIfPresent(words[1], (key, old) -> old + 1);
            return value == null ? "NOT_FOUND" : value.toString();
        }
        return "ERROR";
    }

    /** Reads one request head: true when it is "GET /key HTTP/1.1" with a Host header. */
    private static boolean isGetWithHost(final String requestLine, final BufferedReader in) throws IOException {
        boolean hasHost = false;
        String header;
        while ((header = in.readLine()) != null && !header.isEmpty()) {
            hasHost |= header.startsWith("Host: ") && header.length() > "Host: ".length();
        }
        return requestLine.matches("GET /\\S+ HTTP/1\\.1") && hasHost;
    }

    private static void writePieces(final Socket socket, final OutputStream out, final List<String> pieces)
            throws IOException {
        for (int i = 0; i < pieces.size(); i++) {
            if (act(socket, pieces.get(i))) {
                return;
            }
            if (i > 0) {
                pause(PIECE_PAUSE_MS);
            }
            out.write(pieces.get(i).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }

    private static void pause(final long ms) throws IOException {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted between two pieces of a reply", ex);
        }
    }

    /** @return true when the reply was an action instead of a line to send */
    private static boolean act(final Socket socket, final String reply) throws IOException {
        switch (reply) {
            case SILENCE:
                return true;
            case ABORT:
                socket.setSoLinger(true, 0);
                socket.close();
                return true;
            case CLOSE:
                socket.close();
                return true;
            default:
                return false;
        }
    }

    private void acceptLoop(final ConnectionScript script) {
        while (!serverSocket.isClosed()) {
            try {
                final Socket socket = serverSocket.accept();
                sockets.add(socket);
                daemon(() -> serve(script, socket), "test-server-connection").start();
            } catch (final IOException ex) {
                return;
            }
        }
    }

    private static void serve(final ConnectionScript script, final Socket socket) {
        try (socket) {
            script.serve(socket);
        } catch (final IOException ex) {
            // The connection ended (closed by the client or by the script): what matters is what the client saw.
        }
    }

    private static Thread daemon(final Runnable task, final String name) {
        final Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
