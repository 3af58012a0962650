package io.understudy.logger;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes {@link LogProtocol} frames, each ended by its {@link FrameMac}, into a buffered stream; nothing reaches the
 * peer before {@link #flush()}.
 */
final class FrameOutput {
    static final int DEFAULT_BUFFER_BYTES = 64 * 1024;

    private final OutputStream out;
    private final FrameMac mac;
    private final ByteBuffer header = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] tag = new byte[FrameMac.LENGTH];

    FrameOutput(final OutputStream out, final FrameMac mac, final int bufferBytes) {
        this.out = new BufferedOutputStream(out, bufferBytes);
        this.mac = mac;
    }

    void welcome(final long lastSeq) throws IOException {
        start(LogProtocol.WELCOME, Long.BYTES).putLong(lastSeq);
        writeHeader();
        end();
    }

    void record(final byte[] bytes, final int length) throws IOException {
        start(LogProtocol.RECORD, length);
        writeHeader();
        writeBody(bytes, length);
        end();
    }

    void gap(final long nextSeq) throws IOException {
        start(LogProtocol.GAP, Long.BYTES).putLong(nextSeq);
        writeHeader();
        end();
    }

    void keepalive() throws IOException {
        start(LogProtocol.KEEPALIVE, 0);
        writeHeader();
        end();
    }

    void ack(final long seq, final long index) throws IOException {
        start(LogProtocol.ACK, 2 * Long.BYTES).putLong(seq).putLong(index);
        writeHeader();
        end();
    }

    /** An ERROR frame, its message cut to {@link LogProtocol#MAX_ERROR_BYTES} of UTF-8. */
    void error(final String message) throws IOException {
        final byte[] full = String.valueOf(message).getBytes(StandardCharsets.UTF_8);
        final byte[] text = Arrays.copyOf(full, Math.min(full.length, LogProtocol.MAX_ERROR_BYTES));
        start(LogProtocol.ERROR, text.length);
        writeHeader();
        writeBody(text, text.length);
        end();
    }

    void tail(final long fromIndex, final int flags) throws IOException {
        start(LogProtocol.TAIL, Long.BYTES + 1).putLong(fromIndex).put((byte) flags);
        writeHeader();
        end();
    }

    void entry(final long index, final byte[] bytes, final int length) throws IOException {
        start(LogProtocol.ENTRY, Long.BYTES + length).putLong(index);
        writeHeader();
        writeBody(bytes, length);
        end();
    }

    void flush() throws IOException {
        out.flush();
    }

    private ByteBuffer start(final int kind, final int bodyLength) {
        return header.clear().putInt(1 + bodyLength + FrameMac.LENGTH).put((byte) kind);
    }

    private void writeHeader() throws IOException {
        mac.begin();
        mac.update(header.array(), 0, header.position());
        out.write(header.array(), 0, header.position());
    }

    private void writeBody(final byte[] bytes, final int length) throws IOException {
        mac.update(bytes, 0, length);
        out.write(bytes, 0, length);
    }

    private void end() throws IOException {
        mac.finish(tag, 0);
        out.write(tag);
    }
}
