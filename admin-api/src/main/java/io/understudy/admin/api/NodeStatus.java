package io.understudy.admin.api;

import io.understudy.admin.core.Role;
import io.understudy.backup.TapStats;
import io.understudy.primary.RelayStats;

/**
 * What GET /status answers: who the node is, its role, the service it protects and, on the primary, the relay's
 * counters; on the backup, the tap's.
 *
 * @param nodeId  the node's id from its config.
 * @param role    PRIMARY or BACKUP.
 * @param service the service address clients use, "VIP:port".
 * @param app     where this node's app listens, "address:port".
 * @param relay   the relay's counters on a primary; null on a backup.
 * @param tap     the tap's counters on a backup; null on a primary.
 */
public record NodeStatus(String nodeId, Role role, String service, String app, RelayStats relay, TapStats tap)
{
}
