package io.understudy.admin.api;

import java.util.List;

import io.understudy.admin.core.Role;
import io.understudy.backup.TapStats;
import io.understudy.logger.LogServerStats;
import io.understudy.primary.ReadLogStats;
import io.understudy.primary.RelayStats;

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
 */
public record NodeStatus(
    String nodeId, Role role, List<String> members, long heartbeatAgeMs, String service, String app,
    RelayStats relay, TapStats tap, FailoverReport lastFailover, ReadLogStats readLog, LogServerStats logger)
{
}
