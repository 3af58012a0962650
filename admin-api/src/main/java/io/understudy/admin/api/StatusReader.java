package io.understudy.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Reads a node's GET /status: the one client of it, for the node (its peer's, in a handover and for GET /pair) and for
 * {@code understudy status}.
 */
public final class StatusReader {
    /** The node answered, but not with its status: an HTTP error or another body. */
    public static final class NotAStatusException extends IOException {
        private static final long serialVersionUID = 1L;

        NotAStatusException(final String message) {
            super(message);
        }
    }

    private StatusReader() {}

    /**
     * GET {@code uri} (a node's /status) within {@code timeout}.
     *
     * @throws NotAStatusException when it answers other than 200 with a node status (an object with a nodeId).
     * @throws IOException         when it cannot be reached or its answer cannot be read.
     */
    public static JsonNode read(final HttpClient http, final URI uri, final Duration timeout, final ObjectMapper json)
            throws IOException, InterruptedException {
        final HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri)
                        .timeout(timeout)
                        .header("Accept", "application/json")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw new NotAStatusException("GET " + uri + " answered " + response.statusCode());
        }
        final JsonNode status;
        try {
            status = json.readTree(response.body());
        } catch (final IOException ex) {
            throw new NotAStatusException("GET " + uri + " answered 200 but not with JSON: " + ex.getMessage());
        }
        if (status == null || !status.path("nodeId").isTextual()) {
            throw new NotAStatusException("GET " + uri + " answered 200 but not with a node status");
        }
        return status;
    }
}
