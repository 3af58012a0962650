package io.understudy.primary;

import java.net.InetSocketAddress;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * A {@link CloseGuard} that adds the client's address and port to an nftables set (through libnftables, in process:
 * no fork per close), which the guard's drop rule exempts. The set's own timeout removes entries later.
 */
public final class NftCloseGuard implements CloseGuard
{
    private static final Logger LOG = LoggerFactory.getLogger(NftCloseGuard.class);

    /** The few libnftables calls needed (libnftables.so.1, from Debian's libnftables1). */
    interface LibNftables extends Library
    {
        Pointer nft_ctx_new(int flags);

        int nft_run_cmd_from_buffer(Pointer context, String command);

        void nft_ctx_free(Pointer context);

        int nft_ctx_buffer_error(Pointer context);

        String nft_ctx_get_error_buffer(Pointer context);
    }

    private final String nodeId;
    private final String table;
    private final String set;
    private final LibNftables nftables;
    private final Pointer context;
    private long failures;

    /**
     * @param table e.g. "inet understudy_guard".
     * @param set   e.g. "authorized".
     */
    public NftCloseGuard(final String nodeId, final String table, final String set)
    {
        this.nodeId = nodeId;
        this.table = table;
        this.set = set;
        this.nftables = load();
        this.context = nftables.nft_ctx_new(0);
        nftables.nft_ctx_buffer_error(context);
    }

    private static LibNftables load()
    {
        try
        {
            return Native.load("nftables", LibNftables.class);
        }
        catch (final UnsatisfiedLinkError noDevelopmentLink)
        {
            // Debian ships only the versioned name unless the -dev package is installed.
            return Native.load("libnftables.so.1", LibNftables.class);
        }
    }

    @Override
    public synchronized void authorize(final InetSocketAddress client)
    {
        final String command = "add element " + table + " " + set + " { " +
            client.getAddress().getHostAddress() + " . " + client.getPort() + " }";
        if (nftables.nft_run_cmd_from_buffer(context, command) != 0 && failures++ % 1000 == 0)
        {
            LOG.warn("[{}] close guard: '{}' failed ({} failures): {}", nodeId, command, failures,
                String.valueOf(nftables.nft_ctx_get_error_buffer(context)).strip());
        }
    }
}
