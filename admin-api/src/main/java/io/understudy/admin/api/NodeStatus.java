package io.understudy.admin.api;

import io.understudy.admin.core.Role;
import io.understudy.backup.TapStats;
import io.understudy.logger.LogServerStats;
import io.understudy.primary.ReadLogStats;
import io.understudy.primary.RelayStats;
import java.util.List;

/**
 * What GET /status answers: who the node is, its role, the service it protects and, on the primary, the relay's
 * counters; on the backup, the tap's.
 *
 * @param nodeId  the node's id from its config.
 * @param role    PRIMARY or BACKUP, now (a backup that took over is PRIMARY).
 * @param members the node ids in the current heartbeat view.
 * @param heartbeatAgeMs ms since anything was heard from the peer; -1 when never.
 * @param service the service address clients use, "VIP:port".
 * @param app     where this node's app listens, "address:port".
 * @param relay   the relay's counters on a primary; null on a backup.
 * @param tap     the tap's counters on a backup; null on a primary.
 * @param lastFailover the last takeover this node did; null if none.
 * @param readLog the read log the primary ships (commit mode, shipped, acked, lag, degraded and why); null on a
 *                backup.
 * @param logger  the logger a backup runs (appended, duplicates dropped, last index); null when it runs none.
 * @param holdsServiceAddress the VIP is one of this host's addresses now.
 * @param protectedConnections   on a backup: open tapped connections a takeover now would restore; -1 on a primary.
 * @param unprotectedConnections on a backup: open ones it would not (GET /connections says why); -1 on a primary.
 * @param appHealth  this node's app as the node watches it (process, check, failure); null before start.
 * @param lastAppFailure what this node did the last time its app failed while it was primary; null if never.
 * @param strangers members of the heartbeat view that are neither this node nor the configured peer,
 *                  "id@a.b.c.d:port" (an alarm); empty when none.
 * @param state      the role's state: STARTING, BACKUP, TAKING_OVER, PRIMARY, HANDING_OVER or STOPPED.
 * @param epoch      this node's epoch: every change of role moves it past this node's and the peer's.
 * @param peerEpoch  the highest epoch the peer announced on the heartbeat.
 * @param transitions the role's last changes (from, to, epoch, reason, at), oldest first.
 * @param alarms     what needs an operator: a failed fence, another holder of the address; empty when none.
 * @param lastDemotion the last time this node, primary, found it was superseded and gave up; null if never.
 * @param fastHeartbeat the fast heartbeat beside the JGroups view; null when it is off.
 * @param peerApi    the peer's API as this node reaches it, e.g. "http://198.18.0.3:8080/"; null without a peer.
 * @param handover   on a backup: the planned handover it is carrying out now, from the moment it accepted the
 *                   request until it answered (its trigger); null when none. A primary whose handover request failed
 *                   does not take the address back while this is set.
 * @param replicaSync on a backup that runs {@code replica.syncCommand}: whether its app is in step with the primary's
 *                   (connections opened before it is are not protected); null otherwise.
 */
public record NodeStatus(
        String nodeId,
        Role role,
        List<String> members,
        long heartbeatAgeMs,
        String service,
        String app,
        RelayStats relay,
        TapStats tap,
        FailoverReport lastFailover,
        ReadLogStats readLog,
        LogServerStats logger,
        boolean holdsServiceAddress,
        int protectedConnections,
        int unprotectedConnections,
        AppStatus appHealth,
        AppFailureReport lastAppFailure,
        List<String> strangers,
        String state,
        long epoch,
        long peerEpoch,
        List<io.understudy.admin.core.RoleMachine.Transition> transitions,
        List<String> alarms,
        DemotionReport lastDemotion,
        FastHeartbeatStatus fastHeartbeat,
        String peerApi,
        String handover,
        ReplicaSyncStatus replicaSync) {}
