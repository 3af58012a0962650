package io.understudy.admin.core;

import io.understudy.admin.app.AppCheck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;

/** The service address as the nodes look at it from the LAN: does it answer, and is it one of this host's? */
final class ServiceProbe {
    private final InetSocketAddress service;
    private final int timeoutMs;

    ServiceProbe(final InetSocketAddress service, final int timeoutMs) {
        this.service = service;
        this.timeoutMs = timeoutMs;
    }

    /** Does VIP:port accept a TCP connection (within the probe's timeout)? */
    boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(service, timeoutMs);
            return true;
        } catch (final IOException ex) {
            return false;
        }
    }

    /**
     * The backup's probe before a takeover: VIP:port must accept a connection (within the probe's short timeout: a
     * dead host is seen at once) and, when the app check is a TCP exchange, answer it through VIP:port within the
     * check's own timeout (a hung app, or a hung node, behind a live kernel accepts the connection but does not
     * answer). The exchange gets the check's timeout, not the probe's: through a loaded primary's relay a reply can
     * take longer than the probe's 30 ms, and a probe that fails there would hand the service to a second holder.
     */
    boolean exchanges(final AppSupervisor app, final int exchangeTimeoutMs) {
        final long startNs = System.nanoTime();
        if (!answers()) {
            lastOutcome = "no connection within " + timeoutMs + " ms";
            return false;
        }
        final long connectedNs = System.nanoTime();
        final java.util.Optional<AppCheck.Result> exchanged = app.probe(service, exchangeTimeoutMs);
        lastOutcome = "connected in " + (connectedNs - startNs) / 1_000_000 + " ms, "
                + exchanged
                        .map(result -> (result.healthy() ? "answered" : "did not answer") + " the exchange in "
                                + (System.nanoTime() - connectedNs) / 1_000_000 + " ms")
                        .orElse("no exchange configured");
        return exchanged.map(AppCheck.Result::healthy).orElse(true);
    }

    private volatile String lastOutcome = "not probed yet";

    /** What the last {@link #exchanges} saw, for the log: how fast it connected and how the exchange went. */
    String lastOutcome() {
        return lastOutcome;
    }

    /** Whether the service address is one of this host's addresses now. */
    boolean isLocal() {
        try {
            return NetworkInterface.getByInetAddress(service.getAddress()) != null;
        } catch (final IOException ex) {
            return false;
        }
    }
}
