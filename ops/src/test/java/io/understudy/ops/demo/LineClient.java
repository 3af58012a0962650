package io.understudy.ops.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A blocking test client for the demo protocol that keeps every byte the server sends. */
final class LineClient implements AutoCloseable {
    private static final int READ_TIMEOUT_MS = 5000;

    private final Socket socket;
    private final InputStream in;

    LineClient(final int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), READ_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
    }

    Socket socket() {
        return socket;
    }

    void send(final String requests) throws IOException {
        socket.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** @return the next line without its "\n" (a "\r" would be kept), or null at end of stream */
    String readLine() throws IOException {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int next;
        while ((next = in.read()) != '\n') {
            if (next < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            line.write(next);
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** Sends one request and returns its reply line. */
    String request(final String line) throws IOException {
        send(line + "\n");
        return readLine();
    }

    /** @return the read result after everything sent so far: -1 at end of stream */
    int read() throws IOException {
        return in.read();
    }

    /** Closes with SO_LINGER 0, which makes the kernel send a TCP RST instead of a FIN. */
    void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
