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
