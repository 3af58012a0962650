package io.understudy.ops.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The demo-service command: runs the deterministic key-value line service until the process is stopped. */
@Command(
        name = "demo-service",
        description = {
            "Run a deterministic key-value service over a line protocol until stopped.",
            "Logs one line per connection open and close to stderr, never one per request."
        },
        footer = {
            "",
            "Protocol: one request per line ending in \"\\n\" (a trailing \"\\r\" is ignored).",
            "Every reply is one line \"<n> <result>\", n counting this connection's",
            "requests from 1. Commands are upper-case:",
            "  INCR key          new integer value (a missing key counts as 0)",
            "  GET key           the value, or (nil)",
            "  SET key value     OK (the value is the rest of the line)",
            "  APPEND key value  the new length in bytes",
            "  DEL key           1 when the key was there, else 0",
            "  KEYS              every key, sorted, one space apart (demo-sync copies",
            "                    the store with KEYS, GET, SET and DEL)",
            "  SLEEP ms          slept <ms>, after that long (0 to 60000): a slow reply",
            "  STATS             connections=<open> accepted=<total>",
            "                    resets=<connections reset by their client>",
            "  QUIT              BYE, then the server closes normally (FIN)",
            "  RESET             no reply: the server aborts the connection (TCP RST)",
            "  anything else     ERR <reason>",
            "A line over 64 KiB gets ERR line too long and the connection is closed."
        })
public final class DemoServiceCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(
            names = "--port",
            required = true,
            paramLabel = "N",
            description = "TCP port to listen on; 0 picks a free port (logged at startup).")
    private int port;

    @Option(
            names = "--bind",
            paramLabel = "ADDR",
            defaultValue = "127.0.0.1",
            description = "Local address to listen on (default: ${DEFAULT-VALUE}).")
    private String bindAddress;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    private boolean helpRequested;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (port < 0 || port > 65_535) {
            throw new ParameterException(spec.commandLine(), "--port must be between 0 and 65535, was " + port);
        }
        final DemoServer server = new DemoServer(resolveBindAddress(), port);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "demo-service-shutdown"));
        server.awaitClosed();
        return 0;
    }

    private InetAddress resolveBindAddress() {
        try {
            return InetAddress.getByName(bindAddress);
        } catch (final UnknownHostException ex) {
            throw new ParameterException(spec.commandLine(), "--bind address '" + bindAddress + "' is unknown");
        }
    }
}
