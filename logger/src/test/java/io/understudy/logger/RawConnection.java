package io.understudy.logger;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A hand-driven client of the logger protocol for tests: writes any bytes, reads frames as they come. */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

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
        socket.setSoTimeout((int) Shipping.AWAIT.toMillis());
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
    }

    RawConnection sendRaw(final byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    RawConnection send(final int kind, final byte[] body) throws IOException {
        return sendRaw(frame(kind, body));
    }

    RawConnection hello(final int role, final String nodeId) throws IOException {
        final byte[] id = nodeId.getBytes(StandardCharsets.UTF_8);
        final byte[] body = new byte[1 + id.length];
        body[0] = (byte) role;
        System.arraycopy(id, 0, body, 1, id.length);
        return send(LogProtocol.HELLO, body);
    }

    RawConnection record(final LogRecord record) throws IOException {
        return send(LogProtocol.RECORD, encode(record));
    }

    static byte[] encode(final LogRecord record) {
        final LogRecordCodec codec = new LogRecordCodec();
        return Arrays.copyOf(codec.buffer(), codec.encode(record));
    }

    Frame read() throws IOException {
        final int length = Integer.reverseBytes(in.readInt());
        final int kind = in.readUnsignedByte();
        final byte[] body = new byte[length - 1];
        in.readFully(body);
        return new Frame(kind, body);
    }

    /** True when the server closed the connection (after what it sent was read). */
    boolean isClosedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (final EOFException | java.net.SocketException closed) {
            return true;
        }
    }

    static byte[] frame(final int kind, final byte[] body) {
        return ByteBuffer.allocate(5 + body.length).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(1 + body.length).put((byte) kind).put(body).array();
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
