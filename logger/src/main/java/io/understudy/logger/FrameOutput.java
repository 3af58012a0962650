package io.understudy.logger;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Writes {@link LogProtocol} frames into a buffered stream; nothing reaches the peer before {@link #flush()}. */
final class FrameOutput {
    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);

    FrameOutput(final OutputStream out) {
        this.out = new BufferedOutputStream(out, 64 * 1024);
    }

    void hello(final int role, final byte[] nodeId) throws IOException {
        start(LogProtocol.HELLO, 1 + nodeId.length).put((byte) role);
        writeHeader();
        out.write(nodeId);
    }

    void welcome(final long lastSeq) throws IOException {
        start(LogProtocol.WELCOME, Long.BYTES).putLong(lastSeq);
        writeHeader();
    }

    void record(final byte[] bytes, final int length) throws IOException {
        start(LogProtocol.RECORD, length);
        writeHeader();
        out.write(bytes, 0, length);
    }

    void ack(final long seq, final long index) throws IOException {
        start(LogProtocol.ACK, 2 * Long.BYTES).putLong(seq).putLong(index);
        writeHeader();
    }

    /** An ERROR frame, its message cut to {@link LogProtocol#MAX_ERROR_BYTES} of UTF-8. */
    void error(final String message) throws IOException {
        final byte[] full = String.valueOf(message).getBytes(StandardCharsets.UTF_8);
        final byte[] text = Arrays.copyOf(full, Math.min(full.length, LogProtocol.MAX_ERROR_BYTES));
        start(LogProtocol.ERROR, text.length);
        writeHeader();
        out.write(text);
    }

    void tail(final long fromIndex) throws IOException {
        start(LogProtocol.TAIL, Long.BYTES).putLong(fromIndex);
        writeHeader();
    }

    void entry(final long index, final byte[] bytes, final int length) throws IOException {
        start(LogProtocol.ENTRY, Long.BYTES + length).putLong(index);
        writeHeader();
        out.write(bytes, 0, length);
    }

    void flush() throws IOException {
        out.flush();
    }

    private ByteBuffer start(final int kind, final int bodyLength) {
        return header.clear().putInt(1 + bodyLength).put((byte) kind);
    }

    private void writeHeader() throws IOException {
        out.write(header.array(), 0, header.position());
    }
}
