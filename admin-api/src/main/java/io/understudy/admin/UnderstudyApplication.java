package io.understudy.admin;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.metrics.servlets.HealthCheckServlet;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.understudy.admin.auth.AdminPort;
import io.understudy.admin.auth.ApiTls;
import io.understudy.admin.auth.TokenAuthFeature;
import io.understudy.admin.cli.DrillCommand;
import io.understudy.admin.cli.LoggerCommand;
import io.understudy.admin.cli.TraceCommand;
import io.understudy.admin.cli.UsageException;
import io.understudy.admin.core.Node;
import io.understudy.admin.errors.ApiErrors;
import io.understudy.admin.health.HeartbeatHealthCheck;
import io.understudy.admin.health.LoggerHealthCheck;
import io.understudy.admin.health.RoleHealthCheck;
import io.understudy.admin.health.TapHealthCheck;
import io.understudy.admin.metrics.DropwizardCollector;
import io.understudy.admin.metrics.NodeMetrics;
import io.understudy.admin.resources.ConnectionsResource;
import io.understudy.admin.resources.DrillResource;
import io.understudy.admin.resources.StatusResource;
import java.util.List;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Understudy node process: one YAML config, the node's role as a managed object, and its admin API.
 * {@code ops/understudy server CONFIG} runs it.
 */
public final class UnderstudyApplication extends Application<UnderstudyConfiguration> {
    /** Where the admin port serves the metrics in Prometheus text format. */
    public static final String PROMETHEUS_PATH = "/prometheus";
    /** Where the API port serves the same Prometheus text, read only and without a token, for a remote scraper. */
    public static final String API_METRICS_PATH = "/metrics";
    /** Where the API port serves the health checks (the admin port's /healthcheck JSON), read only. */
    public static final String API_HEALTH_PATH = "/healthcheck";

    private static final Logger LOG = LoggerFactory.getLogger(UnderstudyApplication.class);

    public static void main(final String[] args) throws Exception {
        new UnderstudyApplication().run(args);
    }

    @Override
    public String getName() {
        return "understudy";
    }

    @Override
    public void initialize(final Bootstrap<UnderstudyConfiguration> bootstrap) {
        // ${VAR} and ${VAR:-default} in the YAML; an undefined variable without a default is an error.
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(true)));
        bootstrap.addCommand(new TraceCommand());
        bootstrap.addCommand(new LoggerCommand());
        bootstrap.addCommand(new DrillCommand());
        bootstrap.addCommand(new io.understudy.admin.cli.StatusCommand());
        bootstrap.addCommand(new io.understudy.admin.cli.KeygenCommand());
    }

    /** Bad input to a tool exits with 2, anything else with 1. */
    @Override
    protected void onFatalError(final Throwable error) {
        System.exit(error instanceof UsageException || error instanceof ArgumentParserException ? 2 : 1);
    }

    @Override
    public void run(final UnderstudyConfiguration configuration, final Environment environment) throws Exception {
        io.understudy.admin.api.ApiJson.configure(environment.getObjectMapper());
        final String token = configuration.getApi().loadToken();
        final ApiTls.PeerClient peerClient =
                ApiTls.peerClient(configuration.getServerFactory(), configuration.getApi());
        final Node node = new Node(configuration.getNode());
        environment.lifecycle().manage(node);
        node.setApiToken(token);
        node.setPeerClient(peerClient);
        LOG.info(
                "[{}] the peer's API is reached with {}{}",
                configuration.getNode().getId(),
                peerClient.scheme(),
                "https".equals(peerClient.scheme())
                        ? " (certificates pinned: "
                                + (configuration
                                                .getApi()
                                                .getPeerCertificateFile()
                                                .isEmpty()
                                        ? "this node's keystore"
                                        : configuration.getApi().getPeerCertificateFile())
                                + ")"
                        : "");
        final StatusResource status = new StatusResource(node);
        environment.jersey().register(status);
        environment
                .jersey()
                .register(new io.understudy.admin.resources.PairResource(node, status, environment.getObjectMapper()));
        environment.jersey().register(new io.understudy.admin.resources.PageResource());
        environment.jersey().register(new ConnectionsResource(node));
        environment.jersey().register(new DrillResource(node));
        environment.jersey().register(new io.understudy.admin.resources.FaultResource(node));
        ApiErrors.register(environment.jersey());
        environment.jersey().register(new TokenAuthFeature(node.settings().getId(), token));
        registerHealthChecks(node, environment);
        registerMetrics(node, environment);
        lockDownAdminPort(configuration, environment, node.settings().getId());
    }

    /**
     * Dropwizard's admin tasks go (they change the node without a token); the admin port is meant for loopback only,
     * as what a remote reader needs (metrics, health) is on the API port: a warning says when it is not.
     */
    private static void lockDownAdminPort(
            final UnderstudyConfiguration configuration, final Environment environment, final String nodeId) {
        final List<String> unmapped = AdminPort.removeTasks(environment.getAdminContext());
        if (unmapped.isEmpty()) {
            LOG.warn(
                    "[{}] found no Dropwizard tasks servlet on the admin port to remove: check POST /tasks/gc", nodeId);
        } else {
            LOG.info(
                    "[{}] Dropwizard's admin tasks removed: POST {} answers 404 (Dropwizard still lists them at "
                            + "start)",
                    nodeId,
                    unmapped);
        }
        for (final String binding : AdminPort.nonLoopbackBindings(configuration.getServerFactory())) {
            LOG.warn(
                    "[{}] the admin port listens on {}, beyond loopback: anyone who reaches it reads thread dumps; "
                            + "bind it to 127.0.0.1 (server.adminConnectors[].bindHost) and scrape GET {} on the API port",
                    nodeId,
                    binding,
                    API_METRICS_PATH);
        }
    }

    /** Each on /healthcheck of the admin port and of the API port (GET only); any unhealthy one makes it answer 500. */
    private static void registerHealthChecks(final Node node, final Environment environment) {
        environment
                .servlets()
                .addServlet("healthcheck", new HealthCheckServlet(environment.healthChecks()))
                .addMapping(API_HEALTH_PATH);
        environment.healthChecks().register("role", new RoleHealthCheck(node));
        environment.healthChecks().register("heartbeat", new HeartbeatHealthCheck(node));
        environment.healthChecks().register("tap", new TapHealthCheck(node));
        environment.healthChecks().register("logger", new LoggerHealthCheck(node));
        environment.healthChecks().register("app", new io.understudy.admin.health.AppHealthCheck(node));
    }

    /**
     * The node's gauges in Dropwizard's registry (admin port: /metrics, JSON) and all of it in Prometheus text (admin
     * port: /prometheus; API port: /metrics, GET only, for a scraper on another host).
     */
    private static void registerMetrics(final Node node, final Environment environment) {
        NodeMetrics.register(node, environment.metrics());
        final PrometheusRegistry prometheus = new PrometheusRegistry();
        prometheus.register(new DropwizardCollector(environment.metrics()));
        environment
                .admin()
                .addServlet("prometheus", new PrometheusMetricsServlet(prometheus))
                .addMapping(PROMETHEUS_PATH);
        environment
                .servlets()
                .addServlet("prometheus", new PrometheusMetricsServlet(prometheus))
                .addMapping(API_METRICS_PATH);
    }
}
