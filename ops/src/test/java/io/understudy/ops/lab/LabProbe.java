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
 */
public final class LabProbe
{
    private LabProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String host = args[1];
        final int port = Integer.parseInt(args[2]);
        switch (args[0])
        {
            case "halfclose" -> sendThenReadToEnd(host, port, "INCR hc\nINCR hc\nGET hc\n", true);
            case "app-reset" -> sendThenReadToEnd(host, port, "RESET\n", false);
            case "client-reset" -> resetThenAskStats(host, port);
            case "await-close" -> awaitClose(host, port, Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "quit-all" -> quitAll(host, port, Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "close-delay" -> closeDelay(host, port, args[3], Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void sendThenReadToEnd(final String host, final int port, final String request,
        final boolean halfClose) throws IOException
    {
        try (Socket socket = new Socket(host, port))
        {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            if (halfClose)
            {
                socket.shutdownOutput();
            }
            final ByteArrayOutputStream received = new ByteArrayOutputStream();
            String end = "eof";
            try
            {
                socket.getInputStream().transferTo(received);
            }
            catch (final SocketException ex)
            {
                end = ex.getMessage().contains("reset") ? "reset" : "error " + ex.getMessage();
            }
            System.out.print(received.toString(StandardCharsets.US_ASCII));
            System.out.println("END " + end);
        }
    }

    /** Opens many RESP connections, checks each answers PING, then waits for each to end and counts how. */
    private static void awaitClose(final String host, final int port, final int connections, final int timeoutS)
        throws Exception
    {
        final java.util.List<Socket> sockets = new java.util.ArrayList<>();
        for (int i = 0; i < connections; i++)
        {
            final Socket socket = new Socket(host, port);
            socket.setSoTimeout(timeoutS * 1000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            final byte[] pong = socket.getInputStream().readNBytes(7);
            if (!"+PONG\r\n".equals(new String(pong, StandardCharsets.US_ASCII)))
            {
                throw new IOException("no +PONG on connection " + i + ": " + new String(pong, StandardCharsets.US_ASCII));
            }
            sockets.add(socket);
        }
        System.out.println("READY " + connections);
        printEnds(sockets, LabProbe::endOf);
    }

    /** Waits for each socket's end at once, then prints "END eof=N reset=N timeout=N other=N". */
    private static void printEnds(final java.util.List<Socket> sockets,
        final java.util.function.Function<Socket, String> end) throws Exception
    {
        final java.util.Map<String, Integer> ends = new java.util.TreeMap<>(java.util.Map.of(
            "eof", 0, "reset", 0, "timeout", 0, "other", 0));
        final java.util.List<java.util.concurrent.CompletableFuture<String>> waits = new java.util.ArrayList<>();
        for (final Socket socket : sockets)
        {
            waits.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> end.apply(socket)));
        }
        for (final java.util.concurrent.CompletableFuture<String> wait : waits)
        {
            ends.merge(wait.get(), 1, Integer::sum);
        }
        System.out.println("END eof=" + ends.get("eof") + " reset=" + ends.get("reset") + " timeout=" +
            ends.get("timeout") + " other=" + ends.get("other"));
    }

    private static void quitAll(final String host, final int port, final int connections, final int timeoutS)
        throws Exception
    {
        final java.util.List<Socket> sockets = new java.util.ArrayList<>();
        for (int i = 0; i < connections; i++)
        {
            final Socket socket = new Socket(host, port);
            socket.setSoTimeout(timeoutS * 1000);
            socket.getOutputStream().write("STATS\n".getBytes(StandardCharsets.US_ASCII));
            final String stats = readLine(socket);
            if (!stats.startsWith("1 connections="))
            {
                throw new IOException("no STATS reply on connection " + i + ": " + stats);
            }
            sockets.add(socket);
        }
        System.out.println("READY " + connections);
        for (final Socket socket : sockets)
        {
            socket.getOutputStream().write("QUIT\n".getBytes(StandardCharsets.US_ASCII));
        }
        printEnds(sockets, socket ->
        {
            try
            {
                if (!"2 BYE".equals(readLine(socket)))
                {
                    socket.close();
                    return "other";
                }
            }
            catch (final IOException ex)
            {
                return ex instanceof java.net.SocketTimeoutException ? "timeout" : endKind(ex);
            }
            return endOf(socket);
        });
    }

    /** One line from the socket, without its newline. */
    private static String readLine(final Socket socket) throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = socket.getInputStream().read(); b != '\n'; b = socket.getInputStream().read())
        {
            if (b < 0)
            {
                throw new IOException("connection ended before a whole line: '" + line + "'");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private static String endOf(final Socket socket)
    {
        try (socket)
        {
            return socket.getInputStream().read() < 0 ? "eof" : "other";
        }
        catch (final java.net.SocketTimeoutException ex)
        {
            return "timeout";
        }
        catch (final IOException ex)
        {
            return endKind(ex);
        }
    }

    /** How a failed read ended a connection: "reset" or "other". */
    private static String endKind(final IOException ex)
    {
        return ex.getMessage() != null && ex.getMessage().contains("reset") ? "reset" : "other";
    }

    /** Times, per connection, the wait between the server's reply to REQUEST and its FIN. */
    private static void closeDelay(final String host, final int port, final String request, final int count)
        throws IOException
    {
        final byte[] bytes = request.replace("\\r", "\r").replace("\\n", "\n").getBytes(StandardCharsets.US_ASCII);
        final long[] delaysNs = new long[count];
        int eof = 0;
        for (int i = 0; i < count; i++)
        {
            try (Socket socket = new Socket(host, port))
            {
                socket.setSoTimeout(10_000);
                socket.setTcpNoDelay(true);
                socket.getOutputStream().write(bytes);
                final java.io.InputStream in = socket.getInputStream();
                int b = in.read();
                final long repliedNs = System.nanoTime();
                while (b >= 0 && b != '\n')
                {
                    b = in.read();
                }
                if (b >= 0 && in.read() < 0)
                {
                    eof++;
                }
                delaysNs[i] = System.nanoTime() - repliedNs;
            }
        }
        java.util.Arrays.sort(delaysNs);
        System.out.printf(java.util.Locale.ROOT, "END p50_ms=%.2f max_ms=%.2f eof=%d%n", delaysNs[count / 2] / 1e6,
            delaysNs[count - 1] / 1e6, eof);
    }

    private static void resetThenAskStats(final String host, final int port) throws Exception
    {
        final Socket doomed = new Socket(host, port);
        doomed.setSoTimeout(10_000);
        doomed.getOutputStream().write("INCR cr\n".getBytes(StandardCharsets.US_ASCII));
        System.out.println(new BufferedReader(new InputStreamReader(doomed.getInputStream(), StandardCharsets.US_ASCII))
            .readLine());
        doomed.setSoLinger(true, 0);
        doomed.close();

        try (Socket socket = new Socket(host, port))
        {
            socket.setSoTimeout(10_000);
            final BufferedReader in =
                new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            final long deadlineNs = System.nanoTime() + 10_000_000_000L;
            String stats;
            do
            {
                socket.getOutputStream().write("STATS\n".getBytes(StandardCharsets.US_ASCII));
                stats = in.readLine();
                Thread.sleep(50);
            }
            while (!stats.contains("resets=1") && System.nanoTime() < deadlineNs);
            System.out.println(stats);
        }
        System.out.println("END eof");
    }
}
