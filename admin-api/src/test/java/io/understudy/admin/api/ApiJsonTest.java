package io.understudy.admin.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.understudy.admin.core.Role;
import io.understudy.backup.TapConnection;
import io.understudy.logger.LogServerStats;
import io.understudy.primary.RelayedConnection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The API's 64-bit ids leave as strings with every digit (a JSON number above 2^53 is read rounded by JavaScript and
 * jq); the counts beside them stay numbers.
 */
class ApiJsonTest {
    /** Above 2^53 and odd: a double cannot hold it (it would read ...6 or ...8). */
    private static final long ID = 1_883_652_421_732_798_237L;

    private final ObjectMapper json = ApiJson.configure(Jackson.newObjectMapper());

    @Test
    void shouldWriteConnectionIdsAsStringsOfEveryDigit() throws Exception {
        final TapConnection tapped = new TapConnection(
                ID,
                "198.18.0.1:40000",
                "198.18.0.100:7070",
                "ESTABLISHED",
                true,
                null,
                18,
                8,
                18,
                8,
                18,
                8,
                0,
                ID + 2,
                false,
                "exact",
                0,
                41000);
        final RelayedConnection relayed =
                new RelayedConnection("198.18.0.1:40000", 18, 18, 8, 8, 0, ID + 4, false, 0, 0, 41000);
        final JsonNode view = json.readTree(json.writeValueAsString(
                new ConnectionsView("backup", Role.BACKUP, List.of(relayed), List.of(tapped), 1, 0)));

        final JsonNode tap = view.get("tapped").get(0);
        assertThat(tap.get("id").isTextual()).as("id in %s", tap).isTrue();
        assertThat(tap.get("id").asText()).isEqualTo("1883652421732798237");
        assertThat(tap.get("loggedAs").asText()).isEqualTo("1883652421732798239");
        assertThat(tap.get("clientBytes").isNumber())
                .as("a count stays a number")
                .isTrue();
        final JsonNode relay = view.get("relayed").get(0);
        assertThat(relay.get("loggedAs").asText()).isEqualTo("1883652421732798241");
        assertThat(relay.get("bytesIn").asLong()).isEqualTo(18);
    }

    @Test
    void shouldWriteTheLoggersLastSequenceNumberAsAString() throws Exception {
        final JsonNode logger = json.readTree(json.writeValueAsString(
                new LogServerStats(3, 0, 0, 1, 1, ID, 2_143_175_795_858_003L, null, 0, 0, 0, 0, 2)));
        assertThat(logger.get("lastSeq").asText()).isEqualTo("1883652421732798237");
        assertThat(logger.get("lastIndex").isNumber()).isTrue();
        assertThat(logger.get("appended").asLong()).isEqualTo(3);
    }
}
