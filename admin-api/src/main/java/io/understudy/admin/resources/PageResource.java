package io.understudy.admin.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * GET /: the pair's page, plain HTML, CSS and a little JavaScript served by the node itself (nothing fetched from
 * anywhere else). It draws GET /pair every 2 s, the last drill (GET /drills/last) with its timeline, and, given the
 * API token, this node's connections (GET /connections).
 */
@Path("/")
public final class PageResource {
    private static final String PAGE = load("/io/understudy/admin/page/index.html");

    @GET
    @Produces(MediaType.TEXT_HTML + ";charset=utf-8")
    public String page() {
        return PAGE;
    }

    private static String load(final String resource) {
        try (InputStream in = PageResource.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the page " + resource + " is missing from the node's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
