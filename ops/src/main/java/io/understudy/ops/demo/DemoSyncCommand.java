package io.understudy.ops.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The demo-sync command: makes one demo service's store a copy of another's, for a backup's
 * {@code replica.syncCommand}. Keys only in the target are deleted; every key of the source is set in the target.
 */
@Command(
        name = "demo-sync",
        description = {
            "Copy one demo service's store into another: every key of --from is set in --to, and keys only in --to "
                    + "are deleted. A backup node runs it as its replica.syncCommand to bring its demo service in "
                    + "step with the primary's."
        },
        footer = {
            "",
            "Without --from and --to it takes what a node gives its sync command: --from is",
            "$UNDERSTUDY_PEER_ADDRESS:$UNDERSTUDY_APP_PORT (the primary's demo service, which must listen",
            "on its LAN address: demo-service --bind), --to $UNDERSTUDY_APP_ADDRESS:$UNDERSTUDY_APP_PORT.",
            "The copy is key by key, not one atomic snapshot: a key the primary's clients change meanwhile",
            "may be copied before the change; the backup's replicas then diverge from the primary on it",
            "and those connections are reported unprotected, never served wrong.",
            "Exit codes: 0 copied, 1 a service could not be reached or refused a request, 2 bad arguments."
        })
public final class DemoSyncCommand implements Callable<Integer> {
    private static final int TIMEOUT_MS = 5_000;

    @Spec
    private CommandSpec spec;

    @Option(names = "--from", paramLabel = "HOST:PORT", description = "The demo service to copy.")
    private String from;

    @Option(names = "--to", paramLabel = "HOST:PORT", description = "The demo service that becomes its copy.")
    private String to;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    private boolean helpRequested;

    private final Map<String, String> environment;

    public DemoSyncCommand() {
        this(System.getenv());
    }

    /** With {@code environment} in place of this process's (for a test). */
    DemoSyncCommand(final Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        final InetSocketAddress source = address("--from", from, "UNDERSTUDY_PEER_ADDRESS");
        final InetSocketAddress target = address("--to", to, "UNDERSTUDY_APP_ADDRESS");
        try (Client primary = new Client(source);
                Client copy = new Client(target)) {
            final List<String> keys = primary.keys();
            final Set<String> wanted = new HashSet<>(keys);
            int deleted = 0;
            for (final String key : copy.keys()) {
                if (!wanted.contains(key)) {
                    copy.expect("DEL " + key, "1");
                    deleted++;
                }
            }
            int copied = 0;
            for (final String key : keys) {
                final String value = primary.request("GET " + key);
                if (value.equals("(nil)")) {
                    continue; // deleted on the primary since its KEYS
                }
                copy.expect("SET " + key + " " + value, "OK");
                copied++;
            }
            spec.commandLine()
                    .getOut()
                    .println("demo-sync: " + copied + " keys copied from " + describe(source) + " to "
                            + describe(target) + ", " + deleted + " deleted there");
            return 0;
        } catch (final IOException ex) {
            spec.commandLine().getErr().println("demo-sync: " + ex.getMessage());
            return 1;
        }
    }

    private InetSocketAddress address(final String option, final String given, final String hostVariable) {
        String text = given;
        if (text == null) {
            final String host = environment.get(hostVariable);
            final String port = environment.get("UNDERSTUDY_APP_PORT");
            if (host == null || host.isBlank() || port == null || port.isBlank()) {
                throw new ParameterException(
                        spec.commandLine(),
                        option + " is needed: $" + hostVariable + " and $UNDERSTUDY_APP_PORT are not both set");
            }
            text = host + ":" + port;
        }
        final int colon = text.lastIndexOf(':');
        try {
            final int port = Integer.parseInt(text.substring(colon + 1));
            if (colon <= 0 || port < 1 || port > 65_535) {
                throw new NumberFormatException();
            }
            return InetSocketAddress.createUnresolved(text.substring(0, colon), port);
        } catch (final NumberFormatException ex) {
            throw new ParameterException(spec.commandLine(), option + " must be HOST:PORT, was '" + text + "'");
        }
    }

    private static String describe(final InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    /** One connection to a demo service: a request, its reply's result (the counter taken off). */
    private static final class Client implements AutoCloseable {
        private final InetSocketAddress address;
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream outStream;

        Client(final InetSocketAddress address) throws IOException {
            this.address = address;
            try {
                socket.connect(new InetSocketAddress(address.getHostString(), address.getPort()), TIMEOUT_MS);
                socket.setSoTimeout(TIMEOUT_MS);
                in = socket.getInputStream();
                outStream = socket.getOutputStream();
            } catch (final IOException ex) {
                socket.close();
                throw new IOException(
                        "cannot reach the demo service at " + describe(address) + ": " + ex.getMessage(), ex);
            }
        }

        List<String> keys() throws IOException {
            final String keys = request("KEYS");
            return keys.isEmpty() ? List.of() : Arrays.asList(keys.split(" "));
        }

        void expect(final String line, final String result) throws IOException {
            final String got = request(line);
            if (!got.equals(result)) {
                throw new IOException(describe(address) + " answered '" + got + "' to " + line.split(" ")[0]
                        + " (expected " + result + ")");
            }
        }

        String request(final String line) throws IOException {
            outStream.write((line + "\n").getBytes(StandardCharsets.ISO_8859_1));
            outStream.flush();
            final ByteArrayOutputStream reply = new ByteArrayOutputStream();
            int next;
            while ((next = in.read()) != '\n') {
                if (next < 0) {
                    throw new IOException(describe(address) + " closed the connection before answering " + line);
                }
                reply.write(next);
            }
            final String text = reply.toString(StandardCharsets.ISO_8859_1);
            final int space = text.indexOf(' ');
            final String result = space < 0 ? "" : text.substring(space + 1);
            if (result.startsWith("ERR ")) {
                throw new IOException(describe(address) + " refused " + line.split(" ")[0] + ": " + result);
            }
            return result;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
