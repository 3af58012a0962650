package io.understudy.ops;

import io.understudy.ops.demo.DemoServiceCommand;
import io.understudy.ops.demo.DemoSyncCommand;
import io.understudy.ops.drill.DrillPictureCommand;
import io.understudy.ops.load.LoadgenCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * Entry point of the ops jar: one picocli program whose subcommands are the demo service and the load generator
 * used to prove that a failover loses, duplicates or reorders no byte.
 */
@Command(
        name = "understudy-ops",
        description = "Tools for Understudy failover tests: a deterministic demo service, a checking load generator "
                + "and a drill's picture.",
        subcommands = {DemoServiceCommand.class, DemoSyncCommand.class, LoadgenCommand.class, DrillPictureCommand.class
        },
        footer = {
            "",
            "Exit codes: 0 success, 1 failure (loadgen: a connection saw a fault),",
            "2 bad arguments.",
            "Run 'understudy-ops COMMAND --help' for the options of one command."
        })
public final class OpsMain implements Runnable {
    @Spec
    private CommandSpec spec;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    private boolean helpRequested;

    public static void main(final String[] args) {
        // Timestamps let lab logs be lined up with the moment of a failover; a -D on the command line still wins.
        System.setProperty(
                "org.slf4j.simpleLogger.showDateTime",
                System.getProperty("org.slf4j.simpleLogger.showDateTime", "true"));
        System.setProperty(
                "org.slf4j.simpleLogger.dateTimeFormat",
                System.getProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS"));
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Parses and runs one command line, printing to the given writers.
     *
     * @return the process exit code: 0 success, 1 failure, 2 bad arguments
     */
    public static int execute(final PrintWriter out, final PrintWriter err, final String... args) {
        final CommandLine commandLine = new CommandLine(new OpsMain());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler(OpsMain::onBadArguments);
        commandLine.setExecutionExceptionHandler(OpsMain::onFailure);
        final int exitCode = commandLine.execute(args);
        out.flush();
        err.flush();
        return exitCode;
    }

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(), "Missing command: choose demo-service, demo-sync, loadgen or drill-picture");
    }

    private static int onBadArguments(final ParameterException ex, final String[] args) {
        final CommandLine commandLine = ex.getCommandLine();
        // One line that a script can show as is; the full usage is one --help away.
        final String message =
                String.valueOf(ex.getMessage()).replace('\n', ' ').trim();
        final String name = commandLine.getCommandSpec().qualifiedName();
        commandLine.getErr().println(name + ": " + message + " (see '" + name + " --help')");
        commandLine.getErr().flush();
        return commandLine.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static int onFailure(final Exception ex, final CommandLine commandLine, final ParseResult parseResult) {
        final PrintWriter err = commandLine.getErr();
        err.println(commandLine.getCommandSpec().qualifiedName() + ": failed: " + ex);
        if (!(ex instanceof IOException || ex instanceof UncheckedIOException)) {
            // Anything but an I/O failure is a bug: keep the stack trace for the report.
            ex.printStackTrace(err);
        }
        err.flush();
        return commandLine.getCommandSpec().exitCodeOnExecutionException();
    }
}
