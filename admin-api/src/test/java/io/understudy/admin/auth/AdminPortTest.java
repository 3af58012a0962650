package io.understudy.admin.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheckRegistry;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.setup.AdminEnvironment;
import io.dropwizard.core.setup.AdminFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.jetty.MutableServletContextHandler;
import jakarta.servlet.http.HttpServlet;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.ServletMapping;
import org.junit.jupiter.api.Test;

/**
 * Dropwizard's tasks leave the admin context, and the node warns about every admin connector beyond loopback.
 */
class AdminPortTest {
    @Test
    void shouldNameEveryAdminConnectorThatListensBeyondLoopback() {
        final DefaultServerFactory server = new DefaultServerFactory();
        server.setAdminConnectors(List.of(
                connector("127.0.0.1", 8081),
                connector("::1", 8082),
                connector("localhost", 8083),
                connector("198.18.10.2", 8084),
                connector(null, 8085),
                connector("0.0.0.0", 8086)));

        assertThat(AdminPort.nonLoopbackBindings(server)).containsExactly("198.18.10.2:8084", "*:8085", "0.0.0.0:8086");
    }

    @Test
    void shouldNameNothingWhenTheAdminPortIsOnLoopback() {
        final DefaultServerFactory server = new DefaultServerFactory();
        server.setAdminConnectors(List.of(connector("127.0.0.1", 8081)));

        assertThat(AdminPort.nonLoopbackBindings(server)).isEmpty();
    }

    @Test
    void shouldUnmapDropwizardsTasksAndKeepTheRestOfTheAdminContext() {
        final MutableServletContextHandler context = new MutableServletContextHandler();
        new AdminEnvironment(context, new HealthCheckRegistry(), new MetricRegistry(), new AdminFactory());
        context.addServlet(new ServletHolder("other", new HttpServlet() {}), "/other");

        assertThat(AdminPort.removeTasks(context)).containsExactly("/tasks/*");

        assertThat(Arrays.stream(context.getServletHandler().getServletMappings())
                        .map(ServletMapping::getServletName))
                .containsExactly("other");
        assertThat(Arrays.stream(context.getServletHandler().getServlets()).map(ServletHolder::getName))
                .containsExactly("other");
        assertThat(AdminPort.removeTasks(context))
                .as("again: nothing left to remove")
                .isEmpty();
    }

    private static ConnectorFactory connector(final String bindHost, final int port) {
        final HttpConnectorFactory connector = new HttpConnectorFactory();
        connector.setBindHost(bindHost);
        connector.setPort(port);
        return connector;
    }
}
