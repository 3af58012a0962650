package io.understudy.ops.lab;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * A client run inside the lab's client host by the system tests, to see what a client sees on half-close and reset
 * through the VIP. Prints what it received and, last, "END eof" or "END reset".
 * Usage: LabProbe halfclose|app-reset|client-reset HOST PORT
 *        LabProbe await-close HOST PORT CONNECTIONS TIMEOUT_S   (RESP: PING on each, then wait for each to end;
 *                                                              prints "END eof=N reset=N timeout=N other=N")
 *        LabProbe quit-all HOST PORT CONNECTIONS TIMEOUT_S  (demo service: STATS on each, then QUIT on all at once;
 *                                                            each must answer BYE, then end; prints "END eof=N
 *                                                            reset=N timeout=N other=N")
 *        LabProbe close-delay HOST PORT REQUEST COUNT   (one connection at a time: REQUEST (\r\n escapes), read the
 *                                                      reply, then time the wait for the server's FIN; prints
 *                                                      "END p50_ms=X max_ms=Y eof=N")
 *        LabProbe connect-storm HOST PORT THREADS DURATION_S CONNECT_TIMEOUT_MS PAUSE_MS
 *                                 (demo service: each thread opens a new connection again and again, STATS, its
 *                                 reply, close, then pauses; a connect not answered within the timeout is tried
 *                                 again at once, as a client with a short connect timeout does; prints "END ok=N
 *                                 refused=N reset=N timeout=N other=N", then the first error of each kind)
 */
public final class LabProbe {
    private LabProbe() {}

    public static void main(final String[] args) throws Exception {
        final String host = args[1];
        final int port = Integer.parseInt(args[2]);
        switch (args[0]) {
            case "halfclose" -> sendThenReadToEnd(host, port, "INCR hc\nINCR hc\nGET hc\n", true);
            case "app-reset" -> sendThenReadToEnd(host, port, "RESET\n", false);
            case "client-reset" -> resetThenAskStats(host, port);
            case "await-close" -> awaitClose(host, port, Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "quit-all" -> quitAll(host, port, Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "close-delay" -> closeDelay(host, port, args[3], Integer.parseInt(args[4]));
            case "connect-storm" ->
                connectStorm(
                        host,
                        port,
                        Integer.parseInt(args[3]),
                        Integer.parseInt(args[4]),
                        Integer.parseInt(args[5]),
                        Integer.parseInt(args[6]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void sendThenReadToEnd(
            final String host, final int port, final String request, final boolean halfClose) throws IOException {
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            if (halfClose) {
                socket.shutdownOutput();
            }
            final ByteArrayOutputStream received = new ByteArrayOutputStream();
            String end = "eof";
            try {
                socket.getInputStream().transferTo(received);
            } catch (final SocketException ex) {
                end = ex.getMessage().contains("reset") ? "reset" : "error " + ex.getMessage();
            }
            System.out.print(received.toString(StandardCharsets.US_ASCII));
            System.out.println("END " + end);
        }
    }

    /** Opens many RESP connections, checks each answers PING, then waits for each to end and counts how. */
    private static void awaitClose(final String host, final int port, final int connections, final int timeoutS)
            throws Exception {
        final java.util.List<Socket> sockets = new java.util.ArrayList<>();
        for (int i = 0; i < connections; i++) {
            final Socket socket = new Socket(host, port);
            socket.setSoTimeout(timeoutS * 1000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            final byte[] pong = socket.getInputStream().readNBytes(7);
            if (!"+PONG\r\n".equals(new String(pong, StandardCharsets.US_ASCII))) {
                throw new IOException(
                        "no +PONG on connection " + i + ": " + new String(pong, StandardCharsets.US_ASCII));
            }
            sockets.add(socket);
        }
        System.out.println("READY " + connections);
        printEnds(sockets, LabProbe::endOf);
    }

    /** Waits for each socket's end at once, then prints "END eof=N reset=N timeout=N other=N". */
    private static void printEnds(
            final java.util.List<Socket> sockets, final java.util.function.Function<Socket, String> end)
            throws Exception {
        final java.util.Map<String, Integer> ends =
                new java.util.TreeMap<>(java.util.Map.of("eof", 0, "reset", 0, "timeout", 0, "other", 0));
        final java.util.List<java.util.concurrent.CompletableFuture<String>> waits = new java.util.ArrayList<>();
        for (final Socket socket : sockets) {
            waits.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> end.apply(socket)));
        }
        for (final java.util.concurrent.CompletableFuture<String> wait : waits) {
            ends.merge(wait.get(), 1, Integer::sum);
        }
        System.out.println("END eof=" + ends.get("eof") + " reset=" + ends.get("reset") + " timeout="
                + ends.get("timeout") + " other=" + ends.get("other"));
    }

    private static void quitAll(final String host, final int port, final int connections, final int timeoutS)
            throws Exception {
        final java.util.List<Socket> sockets = new java.util.ArrayList<>();
        for (int i = 0; i < connections; i++) {
            final Socket socket = new Socket(host, port);
            socket.setSoTimeout(timeoutS * 1000);
            socket.getOutputStream().write("STATS\n".getBytes(StandardCharsets.US_ASCII));
            final String stats = readLine(socket);
            if (!stats.startsWith("1 connections=")) {
                throw new IOException("no STATS reply on connection " + i + ": " + stats);
            }
            sockets.add(socket);
        }
        System.out.println("READY " + connections);
        for (final Socket socket : sockets) {
            socket.getOutputStream().write("QUIT\n".getBytes(StandardCharsets.US_ASCII));
        }
        printEnds(sockets, socket -> {
            try {
                if (!"2 BYE".equals(readLine(socket))) {
                    socket.close();
                    return "other";
                }
            } catch (final IOException ex) {
                return ex instanceof java.net.SocketTimeoutException ? "timeout" : endKind(ex);
            }
            return endOf(socket);
        });
    }

    /** One line from the socket, without its newline. */
    private static String readLine(final Socket socket) throws IOException {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = socket.getInputStream().read();
                b != '\n';
                b = socket.getInputStream().read()) {
            if (b < 0) {
                throw new IOException("connection ended before a whole line: '" + line + "'");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private static String endOf(final Socket socket) {
        try (socket) {
            return socket.getInputStream().read() < 0 ? "eof" : "other";
        } catch (final java.net.SocketTimeoutException ex) {
            return "timeout";
        } catch (final IOException ex) {
            return endKind(ex);
        }
    }

    /** How a failed read ended a connection: "reset" or "other". */
    private static String endKind(final IOException ex) {
        return ex.getMessage() != null && ex.getMessage().contains("reset") ? "reset" : "other";
    }

    /**
     * New connections, one after another on each of {@code threads} threads for {@code durationS} seconds: connect,
     * STATS, read its reply, close, pause. A refused connect is what a client meets when the service address answers
     * before anything listens on it; a short connect timeout keeps fresh SYNs coming while the service moves.
     */
    private static void connectStorm(
            final String host,
            final int port,
            final int threads,
            final int durationS,
            final int connectTimeoutMs,
            final int pauseMs)
            throws InterruptedException {
        final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> counts =
                new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.Map<String, String> firstError = new java.util.concurrent.ConcurrentHashMap<>();
        final long endNs = System.nanoTime() + durationS * 1_000_000_000L;
        final java.util.List<Thread> workers = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final Thread worker = new Thread(() -> {
                while (System.nanoTime() - endNs < 0) {
                    final String kind = connectOnce(host, port, connectTimeoutMs, firstError);
                    counts.computeIfAbsent(kind, k -> new java.util.concurrent.atomic.AtomicInteger())
                            .incrementAndGet();
                    if ("ok".equals(kind)) {
                        try {
                            Thread.sleep(pauseMs);
                        } catch (final InterruptedException ex) {
                            return;
                        }
                    }
                }
            });
            worker.start();
            workers.add(worker);
        }
        for (final Thread worker : workers) {
            worker.join();
        }
        final StringBuilder end = new StringBuilder("END");
        for (final String kind : new String[] {"ok", "refused", "reset", "timeout", "other"}) {
            end.append(' ')
                    .append(kind)
                    .append('=')
                    .append(counts.getOrDefault(kind, new java.util.concurrent.atomic.AtomicInteger())
                            .get());
        }
        System.out.println(end);
        firstError.forEach((kind, message) -> System.out.println("first " + kind + ": " + message));
    }

    private static String connectOnce(
            final String host, final int port, final int connectTimeoutMs, final java.util.Map<String, String> errors) {
        try (Socket socket = new Socket()) {
            socket.connect(new java.net.InetSocketAddress(host, port), connectTimeoutMs);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("STATS\n".getBytes(StandardCharsets.US_ASCII));
            readLine(socket);
            return "ok";
        } catch (final java.net.ConnectException ex) {
            final String kind = ex.getMessage() != null && ex.getMessage().contains("refused") ? "refused" : "other";
            errors.putIfAbsent(kind, java.time.Instant.now() + " " + ex);
            return kind;
        } catch (final java.net.SocketTimeoutException ex) {
            errors.putIfAbsent("timeout", java.time.Instant.now() + " " + ex);
            return "timeout";
        } catch (final IOException ex) {
            final String kind = endKind(ex);
            errors.putIfAbsent(kind, java.time.Instant.now() + " " + ex);
            return kind;
        }
    }

    /** Times, per connection, the wait between the server's reply to REQUEST and its FIN. */
    private static void closeDelay(final String host, final int port, final String request, final int count)
            throws IOException {
        final byte[] bytes = request.replace("\\r", "\r").replace("\\n", "\n").getBytes(StandardCharsets.US_ASCII);
        final long[] delaysNs = new long[count];
        int eof = 0;
        for (int i = 0; i < count; i++) {
            try (Socket socket = new Socket(host, port)) {
                socket.setSoTimeout(10_000);
                socket.setTcpNoDelay(true);
                socket.getOutputStream().write(bytes);
                final java.io.InputStream in = socket.getInputStream();
                int b = in.read();
                final long repliedNs = System.nanoTime();
                while (b >= 0 && b != '\n') {
                    b = in.read();
                }
                if (b >= 0 && in.read() < 0) {
                    eof++;
                }
                delaysNs[i] = System.nanoTime() - repliedNs;
            }
        }
        java.util.Arrays.sort(delaysNs);
        System.out.printf(
                java.util.Locale.ROOT,
                "END p50_ms=%.2f max_ms=%.2f eof=%d%n",
                delaysNs[count / 2] / 1e6,
                delaysNs[count - 1] / 1e6,
                eof);
    }

    private static void resetThenAskStats(final String host, final int port) throws Exception {
        final Socket doomed = new Socket(host, port);
        doomed.setSoTimeout(10_000);
        doomed.getOutputStream().write("INCR cr\n".getBytes(StandardCharsets.US_ASCII));
        System.out.println(new BufferedReader(new InputStreamReader(doomed.getInputStream(), StandardCharsets.US_ASCII))
                .readLine());
        doomed.setSoLinger(true, 0);
        doomed.close();

        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(10_000);
            final BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            final long deadlineNs = System.nanoTime() + 10_000_000_000L;
            String stats;
            do {
                socket.getOutputStream().write("STATS\n".getBytes(StandardCharsets.US_ASCII));
                stats = in.readLine();
                Thread.sleep(50);
            } while (!stats.contains("resets=1") && System.nanoTime() < deadlineNs);
            System.out.println(stats);
        }
        System.out.println("END eof");
    }
}
