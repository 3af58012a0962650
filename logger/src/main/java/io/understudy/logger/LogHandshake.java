package io.understudy.logger;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The fixed-size exchange every read-log connection starts with: mutual proof of the {@link LogAuth} key over both
 * nonces and the client's role and node id, before the logger reads a single length-prefixed frame. Little-endian.
 * <pre>
 *   client -> logger  HELLO (300 B)       logger -> client  CHALLENGE (40 B)
 *   offset  size  field                   offset  size  field
 *   ------  ----  ---------------------   ------  ----  ----------------------------------
 *        0     4  magic "ULOG"                 0     4  magic "ULOG"
 *        4     1  version (2)                  4     1  version (2)
 *        5     1  role: 1 writer, 2 tail       5     1  auth: the logger's own mode
 *        6     1  auth: 0 none, 1 HMAC         6     2  zero
 *        7     1  zero                         8    32  server nonce (random)
 *        8     2  nodeId length, 1..256
 *       10     2  zero                    client -> logger  PROOF (32 B)
 *       12    32  client nonce (random)        0    32  HMAC(key, "client" | HELLO | CHALLENGE)
 *       44   256  nodeId, UTF-8, zero-padded
 *                                         logger -> client  ACCEPT (36 B)
 *                                              0     4  magic "ULOG"
 *                                              4    32  HMAC(key, "server" | HELLO | CHALLENGE)
 * </pre>
 * Both then MAC every frame ({@link FrameMac}) with the session key HMAC(key, "session" | HELLO | CHALLENGE). A
 * logger that refuses (bad HELLO, other auth mode, wrong proof) sends an ERROR frame instead of CHALLENGE or ACCEPT;
 * its length field never equals the magic (which is above the frame limit), so the client tells them apart. Without
 * a key (auth 0) the proofs and MACs are zeros and nobody checks them.
 */
final class LogHandshake {
    static final int MAGIC = 0x474F_4C55;
    static final int VERSION = 2;
    static final int AUTH_NONE = 0;
    static final int AUTH_HMAC_SHA256 = 1;
    static final int NONCE_BYTES = 32;
    static final int PROOF_BYTES = 32;
    static final int HELLO_HEAD_LENGTH = 8;
    static final int HELLO_LENGTH = 12 + NONCE_BYTES + LogProtocol.MAX_NODE_ID_BYTES;
    static final int CHALLENGE_LENGTH = 8 + NONCE_BYTES;
    static final int ACCEPT_LENGTH = 4 + PROOF_BYTES;

    private static final byte[] CLIENT = "understudy read log client".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER = "understudy read log server".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SESSION = "understudy read log session".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a handshake established: the client's role and node id, and the MACs of both directions. */
    record Session(int role, String peerNodeId, FrameMac inbound, FrameMac outbound) {}

    /** The client failed to prove the key (or offered another auth mode): counted apart from other bad input. */
    static final class AuthFailure extends UnderstudyException {
        private static final long serialVersionUID = 1L;

        AuthFailure(final String message) {
            super(message);
        }
    }

    private LogHandshake() {}

    /**
     * The client's side: HELLO, CHALLENGE, PROOF, ACCEPT, all before {@code deadlineNs}.
     *
     * @throws UnderstudyException when the logger refuses (its ERROR's text), runs another auth mode, or fails to
     *                             prove the key.
     */
    static Session client(
            final Socket socket, final LogAuth auth, final int role, final byte[] nodeId, final long deadlineNs)
            throws IOException {
        final byte[] hello = hello(role, auth, nodeId, nonce());
        final OutputStream out = socket.getOutputStream();
        out.write(hello);
        out.flush();
        final byte[] challenge = readAnswer(socket, CHALLENGE_LENGTH, deadlineNs, "CHALLENGE");
        final int loggerAuth = challenge[5];
        if (loggerAuth != authMode(auth)) {
            throw new UnderstudyException(
                    "logger " + socket.getRemoteSocketAddress() + " auth=" + authName(loggerAuth) + ", this node auth="
                            + authName(authMode(auth)) + ": refusing a logger that does not prove the key");
        }
        out.write(auth.hmac(CLIENT, hello, challenge));
        out.flush();
        final byte[] accept = readAnswer(socket, ACCEPT_LENGTH, deadlineNs, "ACCEPT");
        final byte[] proof = Arrays.copyOfRange(accept, 4, ACCEPT_LENGTH);
        if (auth.isSecure() && !LogAuth.isEqual(auth.hmac(SERVER, hello, challenge), proof)) {
            throw new UnderstudyException("logger " + socket.getRemoteSocketAddress()
                    + " failed to prove the read-log key: not our logger, or another key");
        }
        final byte[] sessionKey = auth.isSecure() ? auth.hmac(SESSION, hello, challenge) : null;
        return new Session(
                role,
                null,
                FrameMac.of(sessionKey, FrameMac.SERVER_TO_CLIENT),
                FrameMac.of(sessionKey, FrameMac.CLIENT_TO_SERVER));
    }

    /**
     * The logger's side: reads the fixed HELLO and PROOF (nothing else is read, nothing more allocated), before
     * {@code deadlineNs}.
     *
     * @throws AuthFailure         when the client offers another auth mode or its proof does not verify.
     * @throws UnderstudyException when the HELLO is malformed or the client is too slow.
     */
    static Session server(final Socket socket, final LogAuth auth, final long deadlineNs) throws IOException {
        final byte[] hello = new byte[HELLO_LENGTH];
        readFully(socket, hello, 0, HELLO_HEAD_LENGTH, deadlineNs, "HELLO");
        final ByteBuffer head = ByteBuffer.wrap(hello).order(ByteOrder.LITTLE_ENDIAN);
        checkHead(head, auth);
        readFully(socket, hello, HELLO_HEAD_LENGTH, HELLO_LENGTH - HELLO_HEAD_LENGTH, deadlineNs, "HELLO");
        final int nodeIdLength = Short.toUnsignedInt(head.getShort(8));
        if (nodeIdLength < 1 || nodeIdLength > LogProtocol.MAX_NODE_ID_BYTES) {
            throw new UnderstudyException(
                    "HELLO nodeId length=" + nodeIdLength + ", expected 1.." + LogProtocol.MAX_NODE_ID_BYTES);
        }
        final String peerNodeId = new String(hello, 12 + NONCE_BYTES, nodeIdLength, StandardCharsets.UTF_8);
        final byte[] challenge = ByteBuffer.allocate(CHALLENGE_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(MAGIC)
                .put((byte) VERSION)
                .put((byte) authMode(auth))
                .putShort((short) 0)
                .put(nonce())
                .array();
        final OutputStream out = socket.getOutputStream();
        out.write(challenge);
        out.flush();
        final byte[] proof = new byte[PROOF_BYTES];
        readFully(socket, proof, 0, PROOF_BYTES, deadlineNs, "PROOF");
        if (auth.isSecure() && !LogAuth.isEqual(auth.hmac(CLIENT, hello, challenge), proof)) {
            throw new AuthFailure(
                    "PROOF from " + peerNodeId + " does not verify: the client has no or another " + "read-log key");
        }
        out.write(ByteBuffer.allocate(ACCEPT_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(MAGIC)
                .put(auth.hmac(SERVER, hello, challenge))
                .array());
        out.flush();
        final byte[] sessionKey = auth.isSecure() ? auth.hmac(SESSION, hello, challenge) : null;
        return new Session(
                hello[5],
                peerNodeId,
                FrameMac.of(sessionKey, FrameMac.CLIENT_TO_SERVER),
                FrameMac.of(sessionKey, FrameMac.SERVER_TO_CLIENT));
    }

    /** A HELLO as a client sends it. */
    static byte[] hello(final int role, final LogAuth auth, final byte[] nodeId, final byte[] nonce) {
        return ByteBuffer.allocate(HELLO_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(MAGIC)
                .put((byte) VERSION)
                .put((byte) role)
                .put((byte) authMode(auth))
                .put((byte) 0)
                .putShort((short) nodeId.length)
                .putShort((short) 0)
                .put(nonce)
                .put(nodeId)
                .array();
    }

    static String authName(final int mode) {
        return mode == AUTH_NONE ? "none" : mode == AUTH_HMAC_SHA256 ? "HMAC-SHA256" : "unknown(" + mode + ")";
    }

    private static void checkHead(final ByteBuffer head, final LogAuth auth) {
        final int magic = head.getInt(0);
        if (magic != MAGIC) {
            throw new UnderstudyException(String.format(
                    "HELLO magic=0x%08x, expected 0x%08x ('ULOG'): not a " + "read-log client, or an old one",
                    magic, MAGIC));
        }
        final int version = head.get(4);
        if (version != VERSION) {
            throw new UnderstudyException("HELLO version=" + version + ", expected=" + VERSION);
        }
        final int role = head.get(5);
        if (role != LogProtocol.ROLE_WRITER && role != LogProtocol.ROLE_TAIL) {
            throw new UnderstudyException("HELLO role=" + role + ", expected 1 (writer) or 2 (tail)");
        }
        final int mode = head.get(6);
        if (mode != authMode(auth)) {
            throw new AuthFailure("HELLO auth=" + authName(mode) + ", this logger auth=" + authName(authMode(auth))
                    + (auth.isSecure() ? ": it needs the pair's read-log key" : ": it runs insecure (no key)"));
        }
    }

    /** The fixed answer, or the logger's ERROR frame turned into an exception. */
    private static byte[] readAnswer(final Socket socket, final int length, final long deadlineNs, final String what)
            throws IOException {
        final byte[] answer = new byte[Math.max(length, 4)];
        readFully(socket, answer, 0, 4, deadlineNs, what);
        final int magic = ByteBuffer.wrap(answer).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic == MAGIC) {
            readFully(socket, answer, 4, length - 4, deadlineNs, what);
            return answer;
        }
        final long frameLength = Integer.toUnsignedLong(magic);
        if (frameLength < 1 + FrameMac.LENGTH || frameLength > 1 + LogProtocol.MAX_ERROR_BYTES + FrameMac.LENGTH) {
            throw new UnderstudyException("expected " + what + " from logger " + socket.getRemoteSocketAddress()
                    + ", got 0x" + Integer.toHexString(magic) + ": not a read-log logger, or an old one");
        }
        final byte[] frame = new byte[(int) frameLength];
        readFully(socket, frame, 0, frame.length, deadlineNs, what);
        final String text = new String(frame, 1, frame.length - 1 - FrameMac.LENGTH, StandardCharsets.UTF_8);
        throw new UnderstudyException("logger " + socket.getRemoteSocketAddress() + " sent ERROR: " + text);
    }

    /** Reads exactly {@code length} bytes before the deadline: a slow peer cannot hold a thread longer. */
    static void readFully(
            final Socket socket,
            final byte[] bytes,
            final int offset,
            final int length,
            final long deadlineNs,
            final String what)
            throws IOException {
        final InputStream in = socket.getInputStream();
        int done = 0;
        while (done < length) {
            final long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
            if (remainingMs <= 0) {
                throw slow(what, done, length);
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMs));
            final int read;
            try {
                read = in.read(bytes, offset + done, length - done);
            } catch (final SocketTimeoutException ex) {
                throw slow(what, done, length);
            }
            if (read < 0) {
                throw new EOFException(
                        "connection closed by peer during " + what + " after " + done + " of " + length + " bytes");
            }
            done += read;
        }
        socket.setSoTimeout(0);
    }

    private static UnderstudyException slow(final String what, final int done, final int length) {
        return new UnderstudyException(
                what + " not complete within the handshake timeout: " + done + " of " + length + " bytes");
    }

    private static int authMode(final LogAuth auth) {
        return auth.isSecure() ? AUTH_HMAC_SHA256 : AUTH_NONE;
    }

    private static byte[] nonce() {
        final byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }
}
