package io.understudy.admin.cli;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.Command;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * A command an operator runs: a {@link UsageException} (bad arguments, an unreadable file) is one line on stderr
 * and exit code 2, not Dropwizard's usage dump and stack trace.
 */
abstract class OperatorCommand extends Command {
    protected OperatorCommand(final String name, final String description) {
        super(name, description);
    }

    @Override
    public void onError(final Cli cli, final Namespace namespace, final Throwable error) {
        if (error instanceof UsageException) {
            cli.getStdErr().println(error.getMessage());
        } else {
            super.onError(cli, namespace, error);
        }
    }
}
