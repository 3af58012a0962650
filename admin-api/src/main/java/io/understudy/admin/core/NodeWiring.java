package io.understudy.admin.core;

import io.understudy.admin.cluster.MembershipConfig;
import io.understudy.admin.security.PairSecret;
import io.understudy.admin.security.ReadLogKey;
import io.understudy.admin.security.SecuritySettings;
import io.understudy.backup.TapConfig;
import io.understudy.logger.LogAuth;
import io.understudy.logger.UnderstudyException;
import io.understudy.primary.AppCloseGate;
import io.understudy.primary.CloseGuard;
import io.understudy.primary.NftCloseGuard;
import io.understudy.primary.PrimaryWrapperConfig;
import io.understudy.primary.ReadLog;
import io.understudy.primary.RelayLease;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's settings mapped onto its parts' configs: the relay's, the tap's, the read log's, the heartbeat's, and
 * where the peer and the logger are. Holds the pair's secret, read once at start, before any channel opens.
 */
final class NodeWiring {
    private static final Logger LOG = LoggerFactory.getLogger(NodeWiring.class);

    private final NodeSettings settings;
    private final Optional<PairSecret> secret;

    private NodeWiring(final NodeSettings settings, final Optional<PairSecret> secret) {
        this.settings = settings;
        this.secret = secret;
    }

    /**
     * Reads the pair's secret: every channel's key derives from it.
     *
     * @throws UnderstudyException naming the secret file when it cannot be used, or when there is none and the
     *                             config does not say insecure: true.
     */
    static NodeWiring load(final NodeSettings settings) {
        final SecuritySettings security = settings.getSecurity();
        final Optional<PairSecret> loaded;
        try {
            loaded = security.load();
        } catch (final IOException ex) {
            throw new UnderstudyException(
                    "nodeId=" + settings.getId() + ", cannot start the heartbeat: " + "node.security.secretFile="
                            + security.getSecretFile() + " cannot be used: " + ex.getMessage(),
                    ex);
        }
        if (loaded.isEmpty() && !security.isInsecure()) {
            throw new UnderstudyException("nodeId=" + settings.getId() + ", cannot start the heartbeat: "
                    + "node.security.secretFile is not set and node.security.insecure is false");
        }
        return new NodeWiring(settings, loaded);
    }

    NodeSettings settings() {
        return settings;
    }

    String id() {
        return settings.getId();
    }

    /** The key of the app's per-connection seeds ({@code replica.seedSocket}); none when this node runs insecure. */
    Optional<byte[]> appSeedKey() {
        return secret.map(pair -> pair.key(PairSecret.APP_SEED));
    }

    /** The read log's key from the pair's secret; none when this node runs insecure. */
    LogAuth readLogAuth() {
        return secret.map(ReadLogKey::of).orElse(LogAuth.INSECURE);
    }

    /** Where the logger is: the third host when configured, else this node (backup) or its peer (primary). */
    InetSocketAddress loggerAddress(final Role as) {
        final LogSettings log = settings.getLog();
        if (!log.getLogger().isBlank()) {
            final String[] hostPort = log.getLogger().split(":");
            return new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        }
        if (as == Role.BACKUP) {
            return new InetSocketAddress(settings.getLanAddress(), log.getListenPort());
        }
        return new InetSocketAddress(
                peerHost("node.log: no peer in node.membership.peers other than this node (" + settings.getLanAddress()
                        + ") to ship the read log to; set node.log.logger"),
                log.getListenPort());
    }

    /** Whether a primary ships its read log to the logger the peer runs (node.log.logger blank), not another host. */
    boolean shipsToPeersLogger() {
        return settings.getLog().isEnabled() && settings.getLog().getLogger().isBlank();
    }

    /** The other node's LAN address, from the membership's peers. */
    String peerHost(final String whenNone) {
        final String self =
                settings.getLanAddress() + ":" + settings.getMembership().getBindPort();
        for (final String peer : settings.getMembership().getPeers()) {
            if (!peer.equals(self) && !peer.equals(settings.getLanAddress())) {
                return peer.contains(":") ? peer.substring(0, peer.lastIndexOf(':')) : peer;
            }
        }
        throw new IllegalStateException(whenNone);
    }

    /** The peer's admin API, reached with {@code scheme} (the one this node's own API uses). */
    URI peerApiBase(final String scheme) {
        return URI.create(scheme + "://"
                + peerHost("no peer in node.membership.peers other than this node to hand " + "the service to") + ":"
                + settings.getApiPort() + "/");
    }

    /** The read log a primary ships to the logger; ReadLog.NONE when node.log.enabled is false. */
    ReadLog startReadLog() {
        final LogSettings log = settings.getLog();
        if (!log.isEnabled()) {
            return ReadLog.NONE;
        }
        final InetSocketAddress logger = loggerAddress(Role.PRIMARY);
        LOG.info(
                "[{}] shipping the read log to {} ({} commit{})",
                settings.getId(),
                logger,
                log.getCommit().name().toLowerCase(Locale.ROOT),
                log.getCommit() == LogSettings.Commit.SYNC
                        ? ""
                        : (log.getMaxLagMs() > 0
                                        ? ", output waits once the logger lags " + log.getMaxLagMs() + " ms"
                                        : ", no lag bound")
                                + ", writes linger " + log.getLingerUs() + " us");
        return ReadLog.shipping(
                settings.getId(),
                logger,
                readLogAuth(),
                log.getBufferBytes(),
                log.getReconnectMs(),
                log.getCommit() == LogSettings.Commit.SYNC,
                log.getCommitTimeoutMs(),
                log.getMaxLagMs(),
                log.getLingerUs()); // ReadLog lingers only with async commit
    }

    PrimaryWrapperConfig wrapperConfig(final ReadLog readLog, final AppCloseGate gate, final RelayLease lease) {
        return new PrimaryWrapperConfig(
                        settings.getId(),
                        new InetSocketAddress(settings.getServiceAddress(), settings.getServicePort()),
                        new InetSocketAddress(settings.getAppAddress(), settings.getAppPort()),
                        settings.getRelayBufferBytes(),
                        settings.getCloseGuardTable().isBlank()
                                ? CloseGuard.NONE
                                : new NftCloseGuard(
                                        settings.getId(), settings.getCloseGuardTable(), settings.getCloseGuardSet()),
                        readLog,
                        gate,
                        settings.getMaxConnections())
                .withLease(lease);
    }

    TapConfig tapConfig() {
        final TapSettings tap = settings.getTap();
        return new TapConfig(
                        settings.getId(),
                        tap.getInterfaceName(),
                        settings.getServiceAddress(),
                        Set.of(settings.getServicePort()),
                        tap.getSnapLengthBytes(),
                        tap.getBufferBytes(),
                        new TapConfig.TrackerLimits(
                                tap.getStreamCapBytes(), tap.getGlobalCapBytes(), tap.getMaxConnections()),
                        new InetSocketAddress(settings.getAppAddress(), settings.getAppPort()),
                        settings.getTakeover().getMode() == TakeoverSettings.Mode.REPLAY,
                        settings.getLog().isEnabled() ? loggerAddress(Role.BACKUP) : null,
                        readLogAuth())
                .withServiceInterface(settings.getServiceInterface())
                .withDivergence(settings.getReplica().policy());
    }

    /**
     * The fast heartbeat's own address and the peer's (each node's membership entry, port + 1), and the pair's
     * membership key; empty without a pair secret (the insecure lab setting: the JGroups view alone then).
     */
    Optional<FastHeartbeatWiring> fastHeartbeatWiring() {
        final MembershipSettings cluster = settings.getMembership();
        if (!cluster.isFastHeartbeat() || secret.isEmpty()) {
            return Optional.empty();
        }
        final MembershipConfig membership = membershipConfig();
        final List<InetSocketAddress> others = membership.otherPeerAddresses();
        if (others.isEmpty()) {
            return Optional.empty();
        }
        final InetSocketAddress peer =
                new InetSocketAddress(others.get(0).getAddress(), others.get(0).getPort() + 1);
        return Optional.of(new FastHeartbeatWiring(
                new InetSocketAddress(membership.bindInetAddress(), membership.bindPort() + 1),
                peer,
                membership.key(),
                cluster.getFastIntervalMs(),
                cluster.getFastSilentMs()));
    }

    /** Where the fast heartbeat binds and beats to, its key and timing. */
    record FastHeartbeatWiring(
            InetSocketAddress self, InetSocketAddress peer, byte[] key, long intervalMs, long silentMs) {}

    /** The heartbeat's config, with the pair's membership key; no key only when the node runs insecure. */
    MembershipConfig membershipConfig() {
        final MembershipSettings cluster = settings.getMembership();
        final byte[] key = secret.map(pair -> pair.key(PairSecret.MEMBERSHIP)).orElse(null);
        return new MembershipConfig(
                settings.getId(),
                settings.getLanAddress(),
                cluster.getBindPort(),
                cluster.getPeers(),
                MembershipConfig.DEFAULT_CLUSTER_NAME,
                cluster.getFailureTimeoutMs(),
                cluster.getHeartbeatIntervalMs(),
                cluster.getVerifySuspectMs(),
                MembershipConfig.DEFAULT_JOIN_TIMEOUT_MS,
                key);
    }
}
