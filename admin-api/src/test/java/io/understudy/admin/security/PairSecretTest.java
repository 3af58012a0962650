package io.understudy.admin.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pair's secret file as an operator makes and deploys it: what is accepted, what is refused and why. */
class PairSecretTest {
    @TempDir
    Path dir;

    private Path write(final String content, final String permissions) throws IOException {
        final Path file = dir.resolve("pair.secret");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Test
    void shouldDeriveADistinctStableKeyPerChannelWhenTheFileIsGood() throws Exception {
        final Path file = write(PairSecret.generate(), "rw-------");

        final PairSecret secret = PairSecret.load(file);
        final PairSecret again = PairSecret.load(file);

        assertThat(secret.key(PairSecret.MEMBERSHIP))
                .hasSize(32)
                .isEqualTo(again.key(PairSecret.MEMBERSHIP))
                .isNotEqualTo(secret.key(PairSecret.READ_LOG));
        assertThat(PairSecret.generate()).matches("[0-9a-f]{64}\n").isNotEqualTo(PairSecret.generate());
    }

    @Test
    void shouldRefuseASecretOthersMayRead() throws Exception {
        final Path file = write(PairSecret.generate(), "rw-r--r--");

        assertThatThrownBy(() -> PairSecret.load(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("may be read or written by others")
                .hasMessageContaining("chmod 600");
    }

    @Test
    void shouldRefuseAFileThatIsNotASecret() throws Exception {
        final Path file = write("hunter2\n", "rw-------");

        assertThatThrownBy(() -> PairSecret.load(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not hold 64 hex characters")
                .hasMessageContaining("keygen");
        assertThatThrownBy(() -> PairSecret.load(dir.resolve("missing")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining("ops/understudy keygen --out");
    }

    @Test
    void shouldAskForASecretOrAnExplicitInsecureSetting() throws Exception {
        final SecuritySettings none =
                new com.fasterxml.jackson.databind.ObjectMapper().readValue("{}", SecuritySettings.class);
        final SecuritySettings insecure = new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue("{\"insecure\": true}", SecuritySettings.class);

        assertThat(none.isSecretFileOrInsecure()).isFalse();
        assertThat(insecure.isSecretFileOrInsecure()).isTrue();
        assertThat(insecure.load()).isEmpty();
    }
}
