package io.understudy.admin.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.testing.ResourceHelpers;
import io.understudy.admin.UnderstudyConfiguration;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code api:} section as a node's whole YAML config is read and validated at start, and its token loaded.
 */
class ApiSettingsTest {
    @TempDir
    Path directory;

    @Test
    void shouldDefaultToNoTokenWhenTheSectionIsMissing() throws Exception {
        final UnderstudyConfiguration config = load("");

        assertThat(config.getApi().getToken()).isEmpty();
        assertThat(config.getApi().loadToken()).isEmpty();
    }

    @Test
    void shouldTakeATokenOfSixteenCharactersOrMore() throws Exception {
        final UnderstudyConfiguration config = load("api:\n  token: 0123456789abcdef\n");

        assertThat(config.getApi().getToken()).isEqualTo("0123456789abcdef");
        assertThat(config.getApi().loadToken()).isEqualTo("0123456789abcdef");
    }

    @Test
    void shouldRefuseAShortTokenNamingTheSetting() {
        assertThatThrownBy(() -> load("api:\n  token: 0123456789abcde\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("api.token must be empty (mutating endpoints refused) or at least 16 characters "
                        + "without spaces");
    }

    @Test
    void shouldRefuseATokenWithSpaces() {
        assertThatThrownBy(() -> load("api:\n  token: \"0123456789 abcdef\"\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("api.token must be empty");
    }

    @Test
    void shouldReadTheTokenFromTokenFileAtLoad() throws Exception {
        final Path file = writeToken("drill.token", "0123456789abcdef0123\n", "rw-r-----");

        final UnderstudyConfiguration config = load("api:\n  tokenFile: " + file + "\n");

        assertThat(config.getApi().getToken())
                .as("api.token itself stays empty")
                .isEmpty();
        assertThat(config.getApi().loadToken()).isEqualTo("0123456789abcdef0123");
    }

    @Test
    void shouldRefuseATokenFileThatCannotBeUsedNamingTheSettingAndTheFile() throws Exception {
        final Path missing = directory.resolve("missing.token");
        final Path shortToken = writeToken("short.token", "0123456789abcde\n", "rw-------");
        final Path open = writeToken("open.token", "0123456789abcdef0123\n", "rw-rw-rw-");
        final Path empty = writeToken("empty.token", "", "rw-------");

        assertLoadRefused(missing, "api.tokenFile: token file " + missing + " does not exist or is not a regular file");
        assertLoadRefused(
                shortToken,
                "api.tokenFile: the token in " + shortToken + " has 15 characters; at least " + "16 are needed");
        assertLoadRefused(
                open,
                "api.tokenFile: token file " + open + " may be read or written by anyone " + "(rw-rw-rw-): chmod o-rw "
                        + open);
        assertLoadRefused(empty, "api.tokenFile: token file " + empty + " is empty");
    }

    @Test
    void shouldRefuseBothTokenAndTokenFile() {
        assertThatThrownBy(() -> load("api:\n  token: 0123456789abcdef\n  tokenFile: /etc/understudy/drill.token\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("api.token and api.tokenFile are both set: give the token one way only");
    }

    private void assertLoadRefused(final Path file, final String message) throws Exception {
        final UnderstudyConfiguration config = load("api:\n  tokenFile: " + file + "\n");

        assertThatThrownBy(() -> config.getApi().loadToken())
                .isInstanceOf(IOException.class)
                .hasMessage(message);
    }

    private Path writeToken(final String name, final String content, final String permissions) throws IOException {
        final Path file = directory.resolve(name);
        Files.writeString(file, content, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    /** test-primary.yml with {@code extra} appended, read and validated as the node reads its config. */
    private static UnderstudyConfiguration load(final String extra) throws IOException, ConfigurationException {
        final byte[] yaml = (Files.readString(Path.of(ResourceHelpers.resourceFilePath("test-primary.yml"))) + "\n"
                        + extra)
                .getBytes(StandardCharsets.UTF_8);
        return new YamlConfigurationFactory<>(
                        UnderstudyConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw")
                .build(path -> (InputStream) new ByteArrayInputStream(yaml), "test.yml");
    }
}
