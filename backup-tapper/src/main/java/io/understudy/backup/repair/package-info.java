/**
 * TCP_REPAIR from Java: rebuilding established TCP sockets with chosen sequence numbers at takeover. The facade is
 * {@link io.understudy.backup.repair.TcpRepair}; a connection is described by a
 * {@link io.understudy.backup.repair.RestoreSpec}.
 */
package io.understudy.backup.repair;
