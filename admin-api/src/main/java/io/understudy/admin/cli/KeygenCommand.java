package io.understudy.admin.cli;

import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import io.understudy.admin.security.PairSecret;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code understudy keygen --out FILE}: makes the pair's secret (node.security.secretFile), readable by its owner
 * only. Copy the same file to both nodes (and to a third host's logger), never through the LAN in the clear.
 */
public final class KeygenCommand extends Command {
    private final PrintStream out;

    public KeygenCommand() {
        this(System.out);
    }

    KeygenCommand(final PrintStream out) {
        super(
                "keygen",
                "Make the pair's secret (node.security.secretFile): 32 random bytes, readable by its owner " + "only.");
        this.out = out;
    }

    @Override
    public void configure(final Subparser subparser) {
        subparser
                .addArgument("--out")
                .required(true)
                .metavar("FILE")
                .help("where to write the secret (mode 600); an existing file is kept unless --force");
        subparser
                .addArgument("--force")
                .action(Arguments.storeTrue())
                .help("replace an existing secret (both nodes then need the new one)");
        subparser.epilog("Exit codes: 0 written, 2 bad arguments or the file exists, 1 anything else.");
    }

    @Override
    public void run(final Bootstrap<?> bootstrap, final Namespace namespace) throws Exception {
        final Path file = Path.of(namespace.getString("out"));
        final boolean force = namespace.getBoolean("force");
        if (Files.exists(file) && !force) {
            throw new UsageException("keygen: " + file + " exists; keep it, or replace it with --force", null);
        }
        final Path temporary = Files.createTempFile(
                file.toAbsolutePath().getParent(),
                ".understudy-secret",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(
                    temporary, PairSecret.generate(), StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(
                    temporary,
                    file,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (final FileAlreadyExistsException ex) {
            throw new UsageException("keygen: " + file + " exists", ex);
        } catch (final IOException ex) {
            Files.deleteIfExists(temporary);
            throw ex;
        }
        out.println("keygen: wrote the pair's secret to " + file + " (mode 600); copy it to the other node and "
                + "set node.security.secretFile on both");
    }
}
