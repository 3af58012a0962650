package io.understudy.primary;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CloseGuard} that adds the connection's 4-tuple to an nftables set (through libnftables, in process: no
 * fork per close), which the guard's drop rule exempts. Keyed on the whole 4-tuple, so authorizing one connection
 * lets no FIN or RST of another connection from the same client port through (to another service, say). Each element
 * carries its own {@value #ELEMENT_TIMEOUT} timeout, so how long a close stays authorized does not depend on the set's
 * default timeout (or on the set having one).
 *
 * <p>The table the guard expects (ops/systemd/understudy-guard.nft; ops/lab makes the same), the set typed in the
 * order the elements are written, the rule matching an outgoing segment's destination (the client) first:
 * <pre>
 * table inet understudy_guard {
 *   set authorized {
 *     type ipv4_addr . inet_service . ipv4_addr . inet_service   # client ip . port . service ip . port
 *     flags timeout
 *   }
 *   chain output {
 *     type filter hook output priority filter; policy accept;
 *     ip saddr $VIP tcp sport $SERVICE_PORT tcp flags &amp; (fin | rst) != 0
 *       ip daddr . tcp dport . ip saddr . tcp sport != &#64;authorized counter drop
 *   }
 * }
 * </pre>
 */
public final class NftCloseGuard implements CloseGuard {
    private static final Logger LOG = LoggerFactory.getLogger(NftCloseGuard.class);
    /** How long an element lets its connection's FIN or RST through: ample for a close and its retransmissions. */
    static final String ELEMENT_TIMEOUT = "30s";

    /** The few libnftables calls needed (libnftables.so.1, from Debian's libnftables1). */
    interface LibNftables extends Library {
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
    private boolean missingReported;
    private long failures;

    /**
     * @param table e.g. "inet understudy_guard".
     * @param set   e.g. "authorized".
     */
    public NftCloseGuard(final String nodeId, final String table, final String set) {
        this.nodeId = nodeId;
        this.table = table;
        this.set = set;
        this.nftables = load();
        this.context = nftables.nft_ctx_new(0);
        nftables.nft_ctx_buffer_error(context);
    }

    private static LibNftables load() {
        try {
            return Native.load("nftables", LibNftables.class);
        } catch (final UnsatisfiedLinkError noDevelopmentLink) {
            // Debian ships only the versioned name unless the -dev package is installed.
            return Native.load("libnftables.so.1", LibNftables.class);
        }
    }

    @Override
    public synchronized boolean authorize(final InetSocketAddress client, final InetSocketAddress service) {
        if (!(client.getAddress() instanceof Inet4Address) || !(service.getAddress() instanceof Inet4Address)) {
            // The set holds IPv4 addresses only: nft would refuse the element, so say why here instead.
            logFailure(client + " -> " + service, "not an IPv4 connection");
            return false;
        }
        final String command = command(table, set, client, service);
        if (nftables.nft_run_cmd_from_buffer(context, command) != 0) {
            final String error =
                    String.valueOf(nftables.nft_ctx_get_error_buffer(context)).strip();
            if (isMissingGuard(error)) {
                // No guard table on this host (a node that just took over, before the guard was installed here):
                // nothing drops the close, so it may go at once.
                if (!missingReported) {
                    missingReported = true;
                    LOG.warn(
                            "[{}] close guard {} {} is not installed on this host: deliberate closes pass "
                                    + "unguarded, and a crash of this node's process would reach the clients until it is",
                            nodeId,
                            table,
                            set);
                }
                return true;
            }
            logFailure(command, error);
            return false;
        }
        missingReported = false;
        return true;
    }

    /** nft's answer when the table or the set does not exist. */
    static boolean isMissingGuard(final String error) {
        return error.contains("No such file or directory");
    }

    /** The nft command that lets one connection's FIN or RST through: client ip . port . service ip . port. */
    static String command(
            final String table, final String set, final InetSocketAddress client, final InetSocketAddress service) {
        return "add element " + table + " " + set + " { " + client.getAddress().getHostAddress()
                + " . " + client.getPort() + " . " + service.getAddress().getHostAddress()
                + " . " + service.getPort() + " timeout "
                + ELEMENT_TIMEOUT + " }";
    }

    /** The relay logs each close it let go unguarded; this says why nft refused, on the first and every 1000th. */
    private void logFailure(final String what, final String why) {
        if (failures++ % 1000 == 0) {
            LOG.warn("[{}] close guard: '{}' failed ({} failures): {}", nodeId, what, failures, why);
        }
    }
}
