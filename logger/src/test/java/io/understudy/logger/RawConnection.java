package io.understudy.logger;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A hand-driven client of the logger protocol for tests: writes any bytes, or proves a key and then writes frames
 * with their MACs; reads frames as they come.
 */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private FrameMac outbound = FrameMac.NONE;
    private FrameInput in;

    /** A frame as read: its kind and body. */
    record Frame(int kind, byte[] body) {
        long longAt(final int position) {
            return ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).getLong(position);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    RawConnection(final InetSocketAddress address) throws IOException {
        socket = new Socket(address.getAddress(), address.getPort());
        out = socket.getOutputStream();
    }

    /** Runs the client's handshake (throws the logger's ERROR); frames sent and read after it carry MACs. */
    RawConnection handshake(final LogAuth auth, final int role, final String nodeId) throws IOException {
        final LogHandshake.Session session = LogHandshake.client(
                socket,
                auth,
                role,
                nodeId.getBytes(StandardCharsets.UTF_8),
                System.nanoTime() + Shipping.AWAIT.toNanos());
        outbound = session.outbound();
        in = input(session.inbound());
        return this;
    }

    /** A writer's handshake with the tests' key; returns the WELCOME's lastSeq. */
    long writer(final String nodeId) throws IOException {
        handshake(Shipping.KEY, LogProtocol.ROLE_WRITER, nodeId);
        final Frame welcome = read();
        if (welcome.kind() != LogProtocol.WELCOME) {
            throw new UnderstudyException(
                    "expected WELCOME, got " + LogProtocol.kindName(welcome.kind()) + ": " + welcome.text());
        }
        return welcome.longAt(0);
    }

    Socket socket() {
        return socket;
    }

    RawConnection sendRaw(final byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** A frame with the MAC of this connection's session (zeros before a handshake). */
    RawConnection send(final int kind, final byte[] body) throws IOException {
        return sendRaw(sealed(kind, body));
    }

    /** The frame {@link #send} would send, MAC'd in turn, for sending later in one write. */
    byte[] sealed(final int kind, final byte[] body) {
        final byte[] frame = ByteBuffer.allocate(5 + body.length + FrameMac.LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(1 + body.length + FrameMac.LENGTH)
                .put((byte) kind)
                .put(body)
                .array();
        outbound.begin();
        outbound.update(frame, 0, 5 + body.length);
        outbound.finish(frame, 5 + body.length);
        return frame;
    }

    RawConnection record(final LogRecord record) throws IOException {
        return send(LogProtocol.RECORD, encode(record));
    }

    static byte[] encode(final LogRecord record) {
        final LogRecordCodec codec = new LogRecordCodec();
        return Arrays.copyOf(codec.buffer(), codec.encode(record));
    }

    /** The next frame; an ERROR sent before a session (no MAC) reads too. */
    Frame read() throws IOException {
        if (in == null) {
            in = input(FrameMac.NONE);
        }
        final int kind = in.read();
        return new Frame(kind, Arrays.copyOfRange(in.array(), in.bodyOffset(), in.bodyOffset() + in.bodyLength()));
    }

    /** True when the server closed the connection (after what it sent was read). */
    boolean isClosedByPeer() throws IOException {
        socket.setSoTimeout((int) Shipping.AWAIT.toMillis());
        try {
            return socket.getInputStream().read() < 0;
        } catch (final EOFException | java.net.SocketException closed) {
            return true;
        }
    }

    private FrameInput input(final FrameMac mac) throws IOException {
        final FrameInput input = new FrameInput(socket, mac, LogProtocol.MAX_FRAME_LENGTH, Shipping.AWAIT.toMillis());
        input.idleTimeoutMs((int) Shipping.AWAIT.toMillis());
        return input;
    }

    /** A frame without a MAC field: what an old or foreign client would send. */
    static byte[] frame(final int kind, final byte[] body) {
        return ByteBuffer.allocate(5 + body.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(1 + body.length)
                .put((byte) kind)
                .put(body)
                .array();
    }

    static byte[] longs(final long... values) {
        final ByteBuffer buffer = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (final long value : values) {
            buffer.putLong(value);
        }
        return buffer.array();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
