package io.understudy.admin.app;

import io.dropwizard.jackson.Jackson;
import java.util.Map;

/** Builds settings as the node's YAML would, from field names and values. */
final class CheckSettings {
    private CheckSettings() {}

    static AppCheckSettings check(final Map<String, Object> fields) {
        return Jackson.newObjectMapper().convertValue(fields, AppCheckSettings.class);
    }

    static AppSettings app(final Map<String, Object> fields) {
        return Jackson.newObjectMapper().convertValue(fields, AppSettings.class);
    }
}
