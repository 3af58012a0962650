package io.understudy.admin.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.understudy.backup.TapConnection;
import io.understudy.logger.LogServerStats;
import io.understudy.primary.RelayedConnection;

/**
 * How the admin API writes what the other modules report. Connection ids and the read log's sequence numbers are
 * 64-bit numbers above 2^53 (they start at the clock shifted left 20 bits): JavaScript, the node's web page and jq
 * read such a JSON number rounded (three different ids on one /connections page read the same in jq 1.6), so they
 * are written as strings of their decimal digits.
 */
public final class ApiJson {
    private ApiJson() {}

    /** Makes {@code json} write the API's 64-bit ids as strings. */
    public static ObjectMapper configure(final ObjectMapper json) {
        return json.addMixIn(TapConnection.class, TapConnectionIds.class)
                .addMixIn(RelayedConnection.class, RelayedConnectionIds.class)
                .addMixIn(LogServerStats.class, LogServerStatsIds.class);
    }

    private abstract static class TapConnectionIds {
        @JsonSerialize(using = ToStringSerializer.class)
        abstract long id();

        @JsonSerialize(using = ToStringSerializer.class)
        abstract long loggedAs();
    }

    private abstract static class RelayedConnectionIds {
        @JsonSerialize(using = ToStringSerializer.class)
        abstract long loggedAs();
    }

    private abstract static class LogServerStatsIds {
        @JsonSerialize(using = ToStringSerializer.class)
        abstract long lastSeq();
    }
}
