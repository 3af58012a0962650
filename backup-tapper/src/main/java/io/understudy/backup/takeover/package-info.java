/**
 * Taking the service over: the {@link io.understudy.backup.takeover.Takeover} state machine (replicas caught up,
 * client sockets rebuilt with TCP_REPAIR, the claim, the release), and claiming the service address (the duplicate
 * address probe, netlink, gratuitous ARP). Depends on {@code track}, {@code replica}, {@code capture} and
 * {@code repair}.
 */
package io.understudy.backup.takeover;
