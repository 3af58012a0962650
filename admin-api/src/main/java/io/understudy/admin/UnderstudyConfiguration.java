package io.understudy.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.understudy.admin.auth.ApiSettings;
import io.understudy.admin.core.NodeSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/**
 * A node's whole YAML config: Dropwizard's server and logging sections plus the {@code node:} and {@code api:}
 * sections.
 */
public final class UnderstudyConfiguration extends Configuration {
    @Valid
    @NotNull
    @JsonProperty
    private NodeSettings node;

    @Valid
    @NotNull
    @JsonProperty
    private ApiSettings api = new ApiSettings();

    public NodeSettings getNode() {
        return node;
    }

    public ApiSettings getApi() {
        return api;
    }
}
