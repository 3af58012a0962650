package io.understudy.admin.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.GenericType;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The token filter in real Jersey, put in place by {@link TokenAuthFeature}, on a tiny resource with one
 * {@link Mutating} method and one that is not, and a {@link Revealing} resource.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class TokenAuthFilterTest {
    private static final GenericType<Map<String, Object>> JSON_MAP = new GenericType<>() {};

    private static final String TOKEN = "s3cret-drill-token-0123";

    private static final ResourceExtension WITH_TOKEN = ResourceExtension.builder()
            .addResource(new ChangeResource())
            .addResource(new ClientsResource())
            .addProvider(new TokenAuthFeature("test", TOKEN))
            .build();

    private static final ResourceExtension WITHOUT_TOKEN = ResourceExtension.builder()
            .addResource(new ChangeResource())
            .addResource(new ClientsResource())
            .addProvider(new TokenAuthFeature("test", ""))
            .build();

    /** Stands in for a POST resource such as a failover drill. */
    @Path("/change")
    @Produces(MediaType.APPLICATION_JSON)
    public static final class ChangeResource {
        @POST
        @Mutating
        public Map<String, String> change() {
            return Map.of("changed", "yes");
        }

        @GET
        public Map<String, String> read() {
            return Map.of("read", "yes");
        }
    }

    /** Stands in for a read-only resource that shows clients, such as GET /connections. */
    @Path("/clients")
    @Produces(MediaType.APPLICATION_JSON)
    @Revealing
    public static final class ClientsResource {
        @GET
        public Map<String, String> clients() {
            return Map.of("client", "198.18.0.1:40000");
        }
    }

    @Test
    void shouldRefuseWith401AndABearerChallengeWhenTheHeaderIsMissing() {
        final Response response = post(WITH_TOKEN.target("/change").request());

        assertRefused(
                response, 401, "this endpoint changes the node: send the header 'Authorization: Bearer <api.token>'");
        assertThat(response.getHeaderString(HttpHeaders.WWW_AUTHENTICATE)).isEqualTo("Bearer realm=\"understudy\"");
    }

    @Test
    void shouldRefuseWith401WhenTheTokenIsWrong() {
        for (final String wrong : new String[] {"s3cret-drill-token-0124", "s3cret", TOKEN + "x", ""}) {
            final Response response =
                    post(WITH_TOKEN.target("/change").request().header(HttpHeaders.AUTHORIZATION, "Bearer " + wrong));

            assertRefused(response, 401, "wrong api token");
            assertThat(response.getHeaderString(HttpHeaders.WWW_AUTHENTICATE))
                    .isEqualTo("Bearer realm=\"understudy\", error=\"invalid_token\"");
        }
    }

    @Test
    void shouldRefuseWith401WhenTheSchemeIsNotBearer() {
        final Response response =
                post(WITH_TOKEN.target("/change").request().header(HttpHeaders.AUTHORIZATION, "Basic " + TOKEN));

        assertRefused(response, 401, "the Authorization header must be 'Bearer <api.token>'");
    }

    @Test
    void shouldLetTheRequestThroughWithTheRightToken() {
        final Response response =
                post(WITH_TOKEN.target("/change").request().header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN));

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.readEntity(JSON_MAP)).isEqualTo(Map.of("changed", "yes"));
    }

    @Test
    void shouldAcceptTheSchemeInAnyCase() {
        final Response response =
                post(WITH_TOKEN.target("/change").request().header(HttpHeaders.AUTHORIZATION, "bearer " + TOKEN));

        assertThat(response.getStatus()).isEqualTo(200);
    }

    @Test
    void shouldLeaveEndpointsThatAreNotMutatingOpen() {
        assertThat(WITH_TOKEN.target("/change").request().get().getStatus()).isEqualTo(200);
        assertThat(WITHOUT_TOKEN.target("/change").request().get().getStatus()).isEqualTo(200);
    }

    @Test
    void shouldRefuseWith403WhenNoTokenIsConfigured() {
        for (final String header : new String[] {"Bearer " + TOKEN, "Bearer ", null}) {
            final Invocation.Builder request = WITHOUT_TOKEN.target("/change").request();
            final Response response =
                    post(header == null ? request : request.header(HttpHeaders.AUTHORIZATION, header));

            assertRefused(response, 403, "no api.token configured on this node");
            assertThat(response.getHeaderString(HttpHeaders.WWW_AUTHENTICATE)).isNull();
        }
    }

    @Test
    void shouldRefuseARevealingEndpointWith401WhenTheHeaderIsMissingOrWrong() {
        final Response missing = clients(WITH_TOKEN).get();
        final Response wrong = clients(WITH_TOKEN)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN + "x")
                .get();

        assertRefused(
                missing,
                401,
                "this endpoint shows the node's clients: send the header " + "'Authorization: Bearer <api.token>'");
        assertThat(missing.getHeaderString(HttpHeaders.WWW_AUTHENTICATE)).isEqualTo("Bearer realm=\"understudy\"");
        assertRefused(wrong, 401, "wrong api token");
    }

    @Test
    void shouldShowARevealingEndpointWithTheRightToken() {
        final Response response = clients(WITH_TOKEN)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN)
                .get();

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.readEntity(JSON_MAP)).isEqualTo(Map.of("client", "198.18.0.1:40000"));
    }

    @Test
    void shouldRefuseARevealingEndpointWith403WhenNoTokenIsConfigured() {
        final Response response = clients(WITHOUT_TOKEN)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN)
                .get();

        assertRefused(response, 403, "no api.token configured on this node");
    }

    private static Invocation.Builder clients(final ResourceExtension resources) {
        return resources.target("/clients").request();
    }

    private static Response post(final Invocation.Builder request) {
        return request.post(Entity.json("{}"));
    }

    private static void assertRefused(final Response response, final int status, final String message) {
        assertThat(response.getStatus()).isEqualTo(status);
        assertThat(response.getMediaType().isCompatible(MediaType.APPLICATION_JSON_TYPE))
                .isTrue();
        assertThat(response.readEntity(JSON_MAP)).isEqualTo(Map.of("code", status, "message", message));
    }
}
