package io.understudy.admin.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.GenericType;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad requests to a real Jersey resource (with Dropwizard's default exception mappers, as in the node) each get a
 * 4xx with {@code {"code": ..., "message": ...}} saying what was wrong.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ApiErrorsTest {
    private static final GenericType<Map<String, Object>> JSON_MAP = new GenericType<>() {};

    private static final ResourceExtension API = resources();

    /** What a resource of the node might take. */
    public enum Mode {
        PLANNED,
        CRASH
    }

    /** A body a resource might take. */
    public record Request(String mode, int count) {}

    /** Throws what resources throw, and takes typed parameters and a JSON body. */
    @Path("/things")
    @Produces(MediaType.APPLICATION_JSON)
    public static final class ThingsResource {
        @GET
        @Path("/bad")
        public String bad(@QueryParam("mode") final String mode) {
            throw new IllegalArgumentException("mode must be planned or crash, not '" + mode + "'");
        }

        @GET
        @Path("/busy")
        public String busy() {
            throw new IllegalStateException("a drill is running already");
        }

        @GET
        @Path("/typed")
        public String typed(@QueryParam("mode") final Mode mode) {
            return String.valueOf(mode);
        }

        @GET
        @Path("/count")
        public String count(@QueryParam("n") final int n) {
            return String.valueOf(n);
        }

        @POST
        @Path("/body")
        @Consumes(MediaType.APPLICATION_JSON)
        public Request body(final Request request) {
            return request;
        }
    }

    private static ResourceExtension resources() {
        final ResourceExtension.Builder builder = ResourceExtension.builder().addResource(new ThingsResource());
        ApiErrors.mappers().forEach(builder::addProvider);
        return builder.build();
    }

    @Test
    void shouldAnswerAnIllegalArgumentWith400AndItsMessage() {
        final Response response =
                API.target("/things/bad").queryParam("mode", "gentle").request().get();

        assertError(response, 400, "mode must be planned or crash, not 'gentle'");
    }

    @Test
    void shouldAnswerAnIllegalStateWith409AndItsMessage() {
        assertError(API.target("/things/busy").request().get(), 409, "a drill is running already");
    }

    @Test
    void shouldAnswerAnUnknownEnumValueWith400NamingTheChoices() {
        final Response response = API.target("/things/typed")
                .queryParam("mode", "gentle")
                .request()
                .get();

        assertError(response, 400, "query param mode must be one of [PLANNED, CRASH]");
    }

    @Test
    void shouldAnswerAValueJerseyCannotConvertWith400NamingTheParameter() {
        final Response response =
                API.target("/things/count").queryParam("n", "many").request().get();

        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(message(response)).startsWith("query parameter 'n' has a bad value");
    }

    @Test
    void shouldAnswerMalformedJsonWith400() {
        final Response response = API.target("/things/body").request().post(Entity.json("{\"mode\": "));

        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(message(response)).isEqualTo("Unable to process JSON");
    }

    @Test
    void shouldAnswerAWrongMethodWith405NamingTheAllowedOnes() {
        final Response response = API.target("/things/busy").request().post(Entity.json("{}"));

        assertError(response, 405, "POST is not allowed on /things/busy; allowed: GET, OPTIONS");
        assertThat(response.getHeaderString(HttpHeaders.ALLOW)).isEqualTo("GET, OPTIONS");
    }

    @Test
    void shouldAnswerAnUnknownPathWith404Json() {
        assertError(API.target("/nothing").request().get(), 404, "HTTP 404 Not Found");
    }

    private static void assertError(final Response response, final int status, final String message) {
        assertThat(response.getStatus()).isEqualTo(status);
        assertThat(response.getMediaType().isCompatible(MediaType.APPLICATION_JSON_TYPE))
                .isTrue();
        assertThat(response.readEntity(JSON_MAP)).isEqualTo(Map.of("code", status, "message", message));
    }

    private static String message(final Response response) {
        return (String) response.readEntity(JSON_MAP).get("message");
    }
}
