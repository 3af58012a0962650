package io.understudy.admin.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.dropwizard.configuration.ConfigurationException;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.testing.ResourceHelpers;
import io.understudy.admin.UnderstudyConfiguration;

/**
 * The {@code api:} section as a node's whole YAML config is read and validated at start.
 */
class ApiSettingsTest
{
    @Test
    void shouldDefaultToNoTokenWhenTheSectionIsMissing() throws Exception
    {
        final UnderstudyConfiguration config = load("");

        assertThat(config.getApi().getToken()).isEmpty();
        assertThat(config.getApi().hasToken()).isFalse();
    }

    @Test
    void shouldTakeATokenOfSixteenCharactersOrMore() throws Exception
    {
        final UnderstudyConfiguration config = load("api:\n  token: 0123456789abcdef\n");

        assertThat(config.getApi().getToken()).isEqualTo("0123456789abcdef");
        assertThat(config.getApi().hasToken()).isTrue();
    }

    @Test
    void shouldRefuseAShortTokenNamingTheSetting()
    {
        assertThatThrownBy(() -> load("api:\n  token: 0123456789abcde\n"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("api.token must be empty (mutating endpoints refused) or at least 16 characters " +
                "without spaces");
    }

    @Test
    void shouldRefuseATokenWithSpaces()
    {
        assertThatThrownBy(() -> load("api:\n  token: \"0123456789 abcdef\"\n"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("api.token must be empty");
    }

    /** test-primary.yml with {@code extra} appended, read and validated as the node reads its config. */
    private static UnderstudyConfiguration load(final String extra) throws IOException, ConfigurationException
    {
        final byte[] yaml = (Files.readString(Path.of(ResourceHelpers.resourceFilePath("test-primary.yml"))) + "\n" +
            extra).getBytes(StandardCharsets.UTF_8);
        return new YamlConfigurationFactory<>(UnderstudyConfiguration.class, Validators.newValidator(),
            Jackson.newObjectMapper(), "dw")
            .build(path -> (InputStream)new ByteArrayInputStream(yaml), "test.yml");
    }
}
