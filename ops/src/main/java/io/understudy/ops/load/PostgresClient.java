package io.understudy.ops.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import javax.net.SocketFactory;

/**
 * One load connection to PostgreSQL through PostgreSQL's own JDBC driver (a client not written here). Each connection
 * counts in its own row of {@value #TABLE}: on connect it sets its key to 0, then each request increments it and
 * returns the new value, so the replies are checked as memcached's are.
 *
 * <pre>
 *   once per run        CREATE TABLE IF NOT EXISTS understudy_counters (k text PRIMARY KEY, v bigint NOT NULL)
 *   once on connect     INSERT INTO understudy_counters (k, v) VALUES (key, 0) ON CONFLICT (k) DO UPDATE SET v = 0
 *   each request        UPDATE understudy_counters SET v = v + 1 WHERE k = key RETURNING v
 * </pre>
 *
 * <p>The user, database and password come from libpq's variables PGUSER (default postgres), PGDATABASE (default the
 * user) and PGPASSWORD (default none). TLS is off (sslmode=disable): the point is the TCP connection through the
 * service address.
 */
final class PostgresClient implements AutoCloseable {
    static final String TABLE = "understudy_counters";
    private static final String CREATE =
            "CREATE TABLE IF NOT EXISTS " + TABLE + " (k text PRIMARY KEY, v bigint NOT NULL)";
    private static final String RESET =
            "INSERT INTO " + TABLE + " (k, v) VALUES (?, 0) ON CONFLICT (k) DO UPDATE SET v = 0 RETURNING v";
    private static final String INCREMENT = "UPDATE " + TABLE + " SET v = v + 1 WHERE k = ? RETURNING v";

    private final Connection connection;
    private final PreparedStatement increment;
    private final int localPort;

    private PostgresClient(final Connection connection, final int localPort) throws SQLException {
        this.connection = connection;
        this.localPort = localPort;
        this.increment = connection.prepareStatement(INCREMENT);
    }

    /**
     * Opens one connection to config's host and port.
     *
     * @throws IOException when it cannot be opened: refused, timed out, reset, or refused by the server (the
     *     server's message and SQLSTATE in the exception's message)
     */
    static PostgresClient connect(final LoadConfig config, final Map<String, String> env) throws IOException {
        try {
            final String url = url(config, env);
            final Connection connection = new org.postgresql.Driver().connect(url, properties(config, env));
            if (connection == null) {
                throw new IOException("the PostgreSQL driver did not take " + url);
            }
            final Socket socket = RecordingSocketFactory.LAST.get();
            RecordingSocketFactory.LAST.remove();
            try {
                return new PostgresClient(connection, socket == null ? 0 : socket.getLocalPort());
            } catch (final SQLException ex) {
                connection.close();
                throw ex;
            }
        } catch (final SQLException ex) {
            throw asIoException(ex);
        }
    }

    /** Creates the counters table if it is not there; once per run, before the connections. */
    static void createTable(final LoadConfig config, final Map<String, String> env) throws IOException {
        try (PostgresClient client = connect(config, env);
                Statement statement = client.connection.createStatement()) {
            statement.execute(CREATE);
        } catch (final SQLException ex) {
            throw asIoException(ex);
        }
    }

    /** The connection's port on this side, or 0 when the driver did not open it through our socket factory. */
    int localPort() {
        return localPort;
    }

    /**
     * Sets key's counter to 0.
     *
     * @return 0, the value the row holds now
     * @throws java.net.ProtocolException when the server answers with an error (the connection cannot count)
     */
    long reset(final String key) throws IOException {
        try (PreparedStatement statement = connection.prepareStatement(RESET)) {
            statement.setString(1, key);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new java.net.ProtocolException("PostgreSQL returned no row for the reset of key " + key);
                }
                return rows.getLong(1);
            }
        } catch (final SQLException ex) {
            final IOException io = asIoException(ex);
            if (isConnectionFailure(ex)) {
                throw io;
            }
            throw new java.net.ProtocolException("PostgreSQL did not set key " + key + " to 0: " + io.getMessage());
        }
    }

    /**
     * Increments key's counter.
     *
     * @return the new value, or an error reply (the server's SQLSTATE and message) when the statement failed but the
     *     connection stands
     * @throws IOException when the connection failed: reset, timed out (the driver's socketTimeout), closed
     */
    ParsedReply increment(final String key) throws IOException {
        try {
            increment.setString(1, key);
            try (ResultSet rows = increment.executeQuery()) {
                if (!rows.next()) {
                    return ParsedReply.error(ParsedReply.NO_COUNTER, "no row for key " + key);
                }
                return ParsedReply.value(ParsedReply.NO_COUNTER, rows.getLong(1));
            }
        } catch (final SQLException ex) {
            if (isConnectionFailure(ex)) {
                throw asIoException(ex);
            }
            return ParsedReply.error(ParsedReply.NO_COUNTER, ParsedReply.quoted(describe(ex)));
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (final SQLException ex) {
            // closing a connection that already failed: nothing more to learn from it
        }
    }

    static String url(final LoadConfig config, final Map<String, String> env) {
        final String host = config.host().indexOf(':') >= 0 ? "[" + config.host() + "]" : config.host();
        final String database = env.getOrDefault("PGDATABASE", user(env));
        return "jdbc:postgresql://" + host + ":" + config.port() + "/"
                + java.net.URLEncoder.encode(database, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String user(final Map<String, String> env) {
        return env.getOrDefault("PGUSER", "postgres");
    }

    static Properties properties(final LoadConfig config, final Map<String, String> env) {
        final Properties properties = new Properties();
        properties.setProperty("user", user(env));
        final String password = env.get("PGPASSWORD");
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("sslmode", "disable");
        properties.setProperty("ApplicationName", "understudy-loadgen");
        // The driver's timeouts are whole seconds: round up, so a timeout is never shorter than asked.
        properties.setProperty("connectTimeout", String.valueOf(Math.max(1, (config.connectTimeoutMs() + 999) / 1000)));
        properties.setProperty("socketTimeout", String.valueOf(Math.max(1, (config.replyTimeoutMs() + 999) / 1000)));
        properties.setProperty("socketFactory", RecordingSocketFactory.class.getName());
        return properties;
    }

    /** A failure of the connection itself (SQLSTATE class 08, or an I/O error below the driver), not of a statement. */
    private static boolean isConnectionFailure(final SQLException ex) {
        return (ex.getSQLState() != null && ex.getSQLState().startsWith("08")) || ioCause(ex) != null;
    }

    /** The I/O error below the driver's exception (so a reset reads as one), else the driver's message as one. */
    private static IOException asIoException(final SQLException ex) {
        final IOException cause = ioCause(ex);
        return cause != null ? cause : new IOException(describe(ex), ex);
    }

    private static IOException ioCause(final Throwable ex) {
        for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException io) {
                return io;
            }
        }
        return null;
    }

    private static String describe(final SQLException ex) {
        return (ex.getSQLState() == null ? "" : "SQLSTATE " + ex.getSQLState() + ": ") + ex.getMessage();
    }

    /**
     * The driver's socket factory (named by class in the connection's properties, so public with a public
     * constructor): it hands the driver plain sockets and remembers, per thread, the last one, so a load connection
     * learns its local port as the socket-based ones do.
     */
    public static final class RecordingSocketFactory extends SocketFactory {
        static final ThreadLocal<Socket> LAST = new ThreadLocal<>();

        @Override
        public Socket createSocket() {
            final Socket socket = new Socket();
            LAST.set(socket);
            return socket;
        }

        @Override
        public Socket createSocket(final String host, final int port) throws IOException {
            return remember(new Socket(host, port));
        }

        @Override
        public Socket createSocket(final String host, final int port, final InetAddress local, final int localPort)
                throws IOException {
            return remember(new Socket(host, port, local, localPort));
        }

        @Override
        public Socket createSocket(final InetAddress host, final int port) throws IOException {
            return remember(new Socket(host, port));
        }

        @Override
        public Socket createSocket(final InetAddress host, final int port, final InetAddress local, final int localPort)
                throws IOException {
            return remember(new Socket(host, port, local, localPort));
        }

        private static Socket remember(final Socket socket) {
            LAST.set(socket);
            return socket;
        }
    }
}
