package io.understudy.admin.cli;

import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import io.understudy.admin.security.ReadLogKey;
import io.understudy.logger.EventLog;
import io.understudy.logger.EventLogConfig;
import io.understudy.logger.LogAuth;
import io.understudy.logger.LogServer;
import io.understudy.logger.UnderstudyException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code understudy logger --listen HOST:PORT --dir DIR --secret-file FILE}: the logger alone, for a third host. The
 * primary ships its read log here and the backup follows it from here (both with {@code node.log.logger: HOST:PORT}
 * in their configs), each proving the pair's read-log key; {@code --insecure} instead of a secret file lets anyone
 * write and read the log. Runs until stopped (SIGTERM, Ctrl-C), then closes the log cleanly.
 */
public final class LoggerCommand extends Command {
    private final PrintStream out;
    private final CountDownLatch stop;

    public LoggerCommand() {
        this(System.out, new CountDownLatch(1));
    }

    LoggerCommand(final PrintStream out, final CountDownLatch stop) {
        super(
                "logger",
                "Run the logger alone (a third host): accept the primary's read log over TCP, append it "
                        + "to a Chronicle event log, serve it to the backup.");
        this.out = out;
        this.stop = stop;
    }

    @Override
    public void configure(final Subparser subparser) {
        subparser
                .addArgument("--listen")
                .required(true)
                .metavar("HOST:PORT")
                .help("the address to accept the primary and the backup on, e.g. 198.18.0.4:7400");
        subparser
                .addArgument("--dir")
                .required(true)
                .metavar("DIR")
                .help("the event log's directory (created if missing)");
        subparser
                .addArgument("--secret-file")
                .metavar("FILE")
                .help(
                        "the pair's secret (the nodes' node.security.secretFile, ops/understudy keygen): writers and tails "
                                + "must prove its read-log key; required unless --insecure");
        subparser
                .addArgument("--insecure")
                .action(net.sourceforge.argparse4j.impl.Arguments.storeTrue())
                .help("no key: anyone who reaches --listen may write or read the log (a lab without strangers only)");
        subparser
                .addArgument("--roll-cycle")
                .setDefault(EventLogConfig.DEFAULT_ROLL_CYCLE)
                .metavar("NAME")
                .help("Chronicle roll cycle of the log files (default " + EventLogConfig.DEFAULT_ROLL_CYCLE + ")");
        subparser
                .addArgument("--retain-cycles")
                .type(Integer.class)
                .setDefault(EventLogConfig.DEFAULT_RETAIN_CYCLES)
                .metavar("N")
                .help("cycles kept before the oldest are deleted (default " + EventLogConfig.DEFAULT_RETAIN_CYCLES
                        + ")");
        subparser.epilog("Exit codes: 0 stopped, 2 bad arguments or an unusable directory, 1 anything else.");
    }

    @Override
    public void run(final Bootstrap<?> bootstrap, final Namespace namespace) throws Exception {
        final InetSocketAddress listen = parseAddress(namespace.getString("listen"));
        final LogAuth auth = loadAuth(namespace.getString("secret_file"), namespace.getBoolean("insecure"));
        final EventLog log;
        try {
            log = EventLog.open(EventLogConfig.of(Path.of(namespace.getString("dir")))
                    .withRollCycle(namespace.getString("roll_cycle"))
                    .withRetainCycles(namespace.getInt("retain_cycles")));
        } catch (final UnderstudyException ex) {
            throw new UsageException("logger: " + ex.getMessage(), ex);
        }
        try (log;
                LogServer server = LogServer.start("logger", listen, log, auth)) {
            out.println("logger: listening on " + server.address() + ", log in " + log.directory()
                    + (auth.isSecure() ? ", writers and tails must prove the read-log key" : ", INSECURE (no key)"));
            out.flush();
            final Thread hook = new Thread(stop::countDown, "logger-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            stop.await();
            out.println("logger: stopping: " + server.stats());
        }
    }

    /** The read-log key from --secret-file, or none with --insecure; a usage error for neither, both or a bad file. */
    static LogAuth loadAuth(final String secretFile, final Boolean insecure) throws UsageException {
        final boolean noKey = Boolean.TRUE.equals(insecure);
        if (secretFile == null && !noKey) {
            throw new UsageException(
                    "logger: --secret-file FILE is required (the pair's secret, ops/understudy "
                            + "keygen), or --insecure in a lab without strangers",
                    null);
        }
        if (secretFile != null && noKey) {
            throw new UsageException("logger: --secret-file and --insecure exclude each other", null);
        }
        if (noKey) {
            return LogAuth.INSECURE;
        }
        try {
            return ReadLogKey.load(Path.of(secretFile));
        } catch (final IOException ex) {
            throw new UsageException("logger: --secret-file: " + ex.getMessage(), ex);
        }
    }

    /** HOST:PORT, with a usage error naming what is wrong. */
    static InetSocketAddress parseAddress(final String value) throws UsageException {
        final int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new UsageException("logger: --listen must be HOST:PORT, got '" + value + "'", null);
        }
        final int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (final NumberFormatException ex) {
            throw new UsageException("logger: --listen port must be a number, got '" + value + "'", ex);
        }
        if (port < 1 || port > 65535) {
            throw new UsageException("logger: --listen port must be 1-65535, got " + port, null);
        }
        return new InetSocketAddress(value.substring(0, colon), port);
    }
}
