package io.understudy.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.admin.security.PairSecret;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import net.sourceforge.argparse4j.inf.Namespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code understudy keygen} as an operator runs it: a root-only secret the node accepts, never overwritten silently. */
class KeygenCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final KeygenCommand command = new KeygenCommand(new PrintStream(out, true, StandardCharsets.UTF_8));

    private void run(final Path file, final boolean force) throws Exception {
        command.run(null, new Namespace(Map.of("out", file.toString(), "force", force)));
    }

    @Test
    void shouldWriteASecretOnlyItsOwnerMayReadThatTheNodeAccepts() throws Exception {
        final Path file = dir.resolve("pair.secret");

        run(file, false);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(file)).matches("[0-9a-f]{64}\n");
        assertThat(PairSecret.load(file).key(PairSecret.READ_LOG)).hasSize(32);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("wrote the pair's secret to " + file);
    }

    @Test
    void shouldKeepAnExistingSecretUnlessForced() throws Exception {
        final Path file = dir.resolve("pair.secret");
        run(file, false);
        final String first = Files.readString(file);

        assertThatThrownBy(() -> run(file, false))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("exists")
                .hasMessageContaining("--force");
        assertThat(Files.readString(file)).isEqualTo(first);

        run(file, true);
        assertThat(Files.readString(file)).isNotEqualTo(first).matches("[0-9a-f]{64}\n");
    }
}
