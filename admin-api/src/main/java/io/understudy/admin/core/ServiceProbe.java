package io.understudy.admin.core;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;

import io.understudy.admin.app.AppCheck;

/** The service address as the nodes look at it from the LAN: does it answer, and is it one of this host's? */
final class ServiceProbe
{
    private final InetSocketAddress service;
    private final int timeoutMs;

    ServiceProbe(final InetSocketAddress service, final int timeoutMs)
    {
        this.service = service;
        this.timeoutMs = timeoutMs;
    }

    /** Does VIP:port accept a TCP connection (within the probe's timeout)? */
    boolean answers()
    {
        try (Socket socket = new Socket())
        {
            socket.connect(service, timeoutMs);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * The backup's probe before a takeover: the app check's exchange through VIP:port when the check is a TCP
     * exchange (a hung app behind a live kernel does not answer it), else a TCP connect.
     */
    boolean exchanges(final AppSupervisor app)
    {
        return app.probe(service, timeoutMs).map(AppCheck.Result::healthy).orElseGet(this::answers);
    }

    /** Whether the service address is one of this host's addresses now. */
    boolean isLocal()
    {
        try
        {
            return NetworkInterface.getByInetAddress(service.getAddress()) != null;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
