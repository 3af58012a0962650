package io.understudy.admin.auth;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.jetty.MutableServletContextHandler;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.ServletMapping;

/**
 * What Dropwizard's admin port (8081) offers and where. Its tasks (POST /tasks/log-level, /tasks/gc) change the node
 * without a token, so they are removed; the rest (health, metrics, thread dumps) is read-only but for loopback only.
 */
public final class AdminPort {
    /** The name Dropwizard gives the tasks servlet on the admin context ({@code /tasks/*}). */
    static final String TASKS_SERVLET = "tasks";

    private AdminPort() {}

    /**
     * Unmaps and drops Dropwizard's tasks servlet from the admin context: POST /tasks/... then answers 404. Call it in
     * {@code run()}, before Jetty starts. (Dropwizard still lists its tasks at start: it keeps them out of reach.)
     *
     * @return the path specs unmapped ("/tasks/*"); none when Dropwizard registered its tasks some other way.
     */
    public static List<String> removeTasks(final MutableServletContextHandler adminContext) {
        final ServletHandler servlets = adminContext.getServletHandler();
        final List<String> removed = new ArrayList<>();
        for (final ServletMapping mapping : servlets.getServletMappings()) {
            if (TASKS_SERVLET.equals(mapping.getServletName())) {
                removed.addAll(List.of(mapping.getPathSpecs()));
            }
        }
        servlets.setServletMappings(Arrays.stream(servlets.getServletMappings())
                .filter(mapping -> !TASKS_SERVLET.equals(mapping.getServletName()))
                .toArray(ServletMapping[]::new));
        servlets.setServlets(Arrays.stream(servlets.getServlets())
                .filter(holder -> !TASKS_SERVLET.equals(holder.getName()))
                .toArray(ServletHolder[]::new));
        return removed;
    }

    /**
     * The admin connectors that listen beyond loopback, as "host:port" ("*:8081" for all addresses): each lets anyone
     * who reaches that address read thread dumps and profiles.
     */
    public static List<String> nonLoopbackBindings(final ServerFactory server) {
        final List<String> bindings = new ArrayList<>();
        if (server instanceof DefaultServerFactory factory) {
            for (final ConnectorFactory connector : factory.getAdminConnectors()) {
                if (connector instanceof HttpConnectorFactory http && !isLoopback(http.getBindHost())) {
                    bindings.add((http.getBindHost() == null ? "*" : http.getBindHost()) + ":" + http.getPort());
                }
            }
        }
        return bindings;
    }

    private static boolean isLoopback(final String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (final UnknownHostException ex) {
            return false;
        }
    }
}
