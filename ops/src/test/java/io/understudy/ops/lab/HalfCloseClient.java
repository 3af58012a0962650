package io.understudy.ops.lab;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A client that half-closes: sends its requests, then its FIN, then reads the replies to the end of the stream and
 * prints them. It touches MARKER_FILE once its FIN is sent, so a test can break the primary while the replies are
 * still to come. Exit 0 at the end of the stream; 1 on any error (a reset, a timeout), printed.
 * Usage: HalfCloseClient HOST PORT REQUESTS MARKER_FILE TIMEOUT_S (REQUESTS: lines separated by '|')
 */
public final class HalfCloseClient {
    private HalfCloseClient() {}

    public static void main(final String[] args) throws Exception {
        final String requests = String.join("\n", args[2].split("\\|")) + "\n";
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 5_000);
            socket.setSoTimeout(Integer.parseInt(args[4]) * 1000);
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            Files.writeString(Path.of(args[3]), "");
            final ByteArrayOutputStream replies = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(replies);
            } catch (final Exception ex) {
                System.out.print(replies.toString(StandardCharsets.US_ASCII));
                System.out.println("ERROR: " + ex);
                System.exit(1);
            }
            System.out.print(replies.toString(StandardCharsets.US_ASCII));
            System.out.println("EOF");
        }
    }
}
