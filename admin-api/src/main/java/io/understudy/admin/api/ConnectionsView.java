package io.understudy.admin.api;

import io.understudy.admin.core.Role;
import io.understudy.backup.TapConnection;
import io.understudy.primary.RelayedConnection;
import java.util.List;

/**
 * GET /connections: on the primary the connections its relay moves; on the backup the connections its tap tracks,
 * each with whether a takeover now would restore it and why not.
 *
 * @param nodeId      this node.
 * @param role        its role now.
 * @param relayed     the primary's connections (null on the backup).
 * @param tapped      the backup's connections (null on the primary).
 * @param protectedCount   open tapped connections a takeover would restore now.
 * @param unprotectedCount open tapped connections it would not (see each one's reason); closed ones, which linger
 *                         in the list a while, count in neither.
 */
public record ConnectionsView(
        String nodeId,
        Role role,
        List<RelayedConnection> relayed,
        List<TapConnection> tapped,
        int protectedCount,
        int unprotectedCount) {}
