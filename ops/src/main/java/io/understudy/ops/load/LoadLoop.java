package io.understudy.ops.load;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Long-lived load connections over one selector on one thread, for the protocols spoken here byte by byte (not
 * PostgreSQL's, which its driver speaks: {@link LoadConnection}). Each connection sends a request on its own key at
 * each interval tick, one request at a time, and checks every reply until the run's deadline; a protocol that sets the
 * key first (memcached) does so once on connect. A connection that fails stops; it never reconnects, so a failover
 * that drops connections shows up in the result.
 * <p>
 * Thousands of connections cost a few threads, not one each: in the lab the clients share two cores with the nodes
 * under test, and 2,000 blocking threads woken once a second took two thirds of a core and kept the nodes' threads
 * waiting to run.
 * <pre>
 *   CONNECTING --connected--> SETTING_UP --set--> IDLE --tick--> AWAITING --reply--> IDLE ... --deadline--> DONE
 *        (no setup request) ----------------------^                                       any failure --> DONE
 * </pre>
 */
final class LoadLoop implements Callable<List<ConnectionResult>> {

    /** The longest select: an early stop (the deadline brought forward) is seen this soon. */
    private static final long STOP_CHECK_NS = 100_000_000L;

    private enum State {
        CONNECTING,
        SETTING_UP,
        IDLE,
        AWAITING,
        DONE
    }

    private final LoadConfig config;
    private final List<Connection> connections = new ArrayList<>();
    private final AtomicLong deadlineNs;
    private final long intervalNs;
    private final long replyTimeoutNs;
    private final PriorityQueue<Wakeup> wakeups = new PriorityQueue<>();
    private long seenDeadlineNs;
    private int open;

    /**
     * @param indexes the connections this loop drives (of config.connections())
     * @param startNs the run's start: connection i's first tick comes i / connections of an interval after it
     */
    LoadLoop(final LoadConfig config, final List<Integer> indexes, final long startNs, final AtomicLong deadlineNs) {
        this.config = config;
        this.deadlineNs = deadlineNs;
        this.intervalNs = config.intervalMs() * 1_000_000L;
        this.replyTimeoutNs = config.replyTimeoutMs() * 1_000_000L;
        for (final int index : indexes) {
            // Spread the connections over one interval so the service sees a steady rate, not a burst per tick.
            connections.add(new Connection(index, startNs + intervalNs * index / config.connections()));
        }
    }

    @Override
    public List<ConnectionResult> call() throws IOException {
        try (Selector selector = Selector.open()) {
            final InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
            seenDeadlineNs = deadlineNs.get();
            for (final Connection connection : connections) {
                open++;
                connection.connect(selector, address, System.nanoTime());
            }
            while (open > 0 && !Thread.currentThread().isInterrupted()) {
                long nowNs = System.nanoTime();
                followDeadline(nowNs);
                Wakeup due;
                while ((due = wakeups.peek()) != null && nowNs - due.atNs >= 0) {
                    wakeups.poll();
                    if (due.connection.wakeNs == due.atNs && due.connection.state != State.DONE) {
                        due.connection.onTimer(nowNs);
                    }
                }
                final long sleepNs =
                        due == null ? STOP_CHECK_NS : Math.min(STOP_CHECK_NS, due.atNs - System.nanoTime());
                if (sleepNs <= 0) {
                    selector.selectNow();
                } else {
                    // Whole milliseconds, rounded up: a tick is at most 1 ms late, and a wait shorter than 1 ms
                    // does not turn into epoll_wait(2) calls in a spin (they cost as much as the requests here).
                    selector.select((sleepNs + 999_999L) / 1_000_000L);
                }
                nowNs = System.nanoTime();
                for (final SelectionKey key : selector.selectedKeys()) {
                    final Connection connection = (Connection) key.attachment();
                    if (key.isValid() && connection.state != State.DONE) {
                        connection.onReady(key, nowNs);
                    }
                }
                selector.selectedKeys().clear();
            }
            final List<ConnectionResult> results = new ArrayList<>();
            for (final Connection connection : connections) {
                connection.close();
                results.add(connection.recorder.result());
            }
            return results;
        }
    }

    /** The deadline came forward (the run was stopped early): idle connections end at it, not at their next tick. */
    private void followDeadline(final long nowNs) {
        final long deadline = deadlineNs.get();
        if (deadline == seenDeadlineNs) {
            return;
        }
        seenDeadlineNs = deadline;
        for (final Connection connection : connections) {
            if (connection.state == State.IDLE) {
                connection.wakeAt(Math.min(connection.tickNs, deadline));
            }
        }
    }

    private record Wakeup(long atNs, Connection connection) implements Comparable<Wakeup> {
        @Override
        public int compareTo(final Wakeup other) {
            return Long.compare(atNs - other.atNs, 0);
        }
    }

    private final class Connection {
        final int index;
        final long firstTickNs;
        final ConnectionRecorder recorder;
        final ReplyReader reader = new ReplyReader();
        final Protocol.ReplySource replies;
        final ReplyChecker checker = new ReplyChecker();
        final byte[] request;
        final byte[] setup;
        State state = State.CONNECTING;
        SocketChannel channel;
        SelectionKey key;
        ByteBuffer unsent;
        /** The server ended its side while no reply was due. */
        boolean serverClosed;

        long tickNs;
        long sendNs;
        long wakeNs;

        Connection(final int index, final long firstTickNs) {
            this.index = index;
            this.firstTickNs = firstTickNs;
            this.tickNs = firstTickNs;
            this.recorder = new ConnectionRecorder(index, intervalNs);
            final Protocol protocol = config.protocol();
            this.request = protocol.request(config.host(), config.key(index));
            this.setup = protocol.setupRequest(config.key(index));
            this.replies = protocol.replySource(reader);
        }

        void connect(final Selector selector, final InetSocketAddress address, final long nowNs) {
            try {
                if (address.isUnresolved()) {
                    throw new java.net.UnknownHostException(config.host());
                }
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                final boolean connected = channel.connect(address);
                key = channel.register(selector, connected ? 0 : SelectionKey.OP_CONNECT, this);
                if (connected) {
                    onConnected(nowNs);
                } else {
                    wakeAt(nowNs + config.connectTimeoutMs() * 1_000_000L);
                }
            } catch (final IOException ex) {
                fail(ex, nowNs);
            }
        }

        void onReady(final SelectionKey ready, final long nowNs) {
            try {
                if (ready.isConnectable()) {
                    if (channel.finishConnect()) {
                        onConnected(nowNs);
                    }
                    return;
                }
                if (ready.isWritable()) {
                    flush();
                }
                if (ready.isReadable()) {
                    read(nowNs);
                }
            } catch (final IOException ex) {
                fail(ex, nowNs);
            }
        }

        void onTimer(final long nowNs) {
            switch (state) {
                case CONNECTING -> fail(new SocketTimeoutException("connect timed out"), nowNs);
                case SETTING_UP, AWAITING ->
                    fail(new SocketTimeoutException("no complete reply before the reply timeout"), nowNs);
                case IDLE -> tick(nowNs);
                case DONE -> {}
            }
        }

        private void onConnected(final long nowNs) throws IOException {
            recorder.onConnected(channel.socket().getLocalPort());
            key.interestOps(SelectionKey.OP_READ);
            if (setup.length > 0) {
                state = State.SETTING_UP;
                send(setup);
                wakeAt(nowNs + replyTimeoutNs);
                parse(nowNs);
            } else {
                idle(nowNs);
            }
        }

        private void idle(final long nowNs) {
            state = State.IDLE;
            wakeAt(Math.min(tickNs, deadlineNs.get()));
        }

        /** At the tick, or at the deadline: sends the next request, or ends the connection. */
        private void tick(final long nowNs) {
            if (nowNs - deadlineNs.get() >= 0) {
                finish();
                return;
            }
            if (nowNs - tickNs < 0) {
                idle(nowNs); // woken early (the deadline moved): wait on for the tick
                return;
            }
            try {
                state = State.AWAITING;
                sendNs = nowNs;
                send(request);
                wakeAt(sendNs + replyTimeoutNs);
                parse(nowNs); // bytes already held (a server that sent more than asked for) answer it at once
                if (serverClosed && state == State.AWAITING) {
                    throw new EOFException("server closed the connection while a reply was due");
                }
            } catch (final IOException ex) {
                fail(ex, nowNs);
            }
        }

        private void send(final byte[] bytes) throws IOException {
            unsent = ByteBuffer.wrap(bytes);
            flush();
        }

        private void flush() throws IOException {
            channel.write(unsent);
            key.interestOps(
                    unsent.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        private void read(final long nowNs) throws IOException {
            int read;
            while ((read = reader.readFrom(channel)) > 0) {
                parse(nowNs);
                if (state == State.DONE) {
                    return;
                }
            }
            if (read < 0) {
                if (state != State.IDLE) {
                    throw new EOFException("server closed the connection while a reply was due");
                }
                // Found when the next request is due, as a blocking client would (an HTTP server may have said
                // so in its last reply, and the reader names that).
                serverClosed = true;
                key.interestOps(0);
            }
        }

        /** Takes the reply due from the bytes held, when they hold all of it. */
        private void parse(final long nowNs) throws IOException {
            if (state != State.SETTING_UP && state != State.AWAITING) {
                return; // kept until a request is sent: they are taken as its reply, as a blocking reader would
            }
            reader.mark();
            try {
                if (state == State.SETTING_UP) {
                    checker.onKeySet(config.protocol().parseSetupReply(config.key(index), reader.readLine()));
                    idle(nowNs);
                } else {
                    onReply(replies.read(), nowNs);
                }
            } catch (final ReplyReader.NeedMoreBytes ex) {
                reader.rewind();
            }
        }

        private void onReply(final ParsedReply reply, final long replyNs) {
            LoadConnection.onReply(config, index, checker, recorder, reply, sendNs, replyNs);
            tickNs = LoadConnection.nextTickNs(tickNs, replyNs, intervalNs);
            if (replyNs - deadlineNs.get() >= 0) {
                finish();
            } else if (tickNs - replyNs <= 0) {
                state = State.IDLE;
                tick(replyNs); // no interval: the next request goes at once
            } else {
                idle(replyNs);
            }
        }

        void wakeAt(final long atNs) {
            wakeNs = atNs;
            wakeups.add(new Wakeup(atNs, this));
        }

        private void fail(final IOException ex, final long nowNs) {
            if (state == State.DONE) {
                return;
            }
            LoadConnection.onFailure(config, index, recorder, ex, firstTickNs, nowNs);
            finish();
        }

        private void finish() {
            if (state != State.DONE) {
                state = State.DONE;
                open--;
                close();
            }
        }

        void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (final IOException ignored) {
                    // the connection is over either way
                }
            }
        }
    }
}
