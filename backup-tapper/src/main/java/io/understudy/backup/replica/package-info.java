/**
 * The consumers of the tracker's events that keep a connection restorable: the hot replicas (this node's app fed the
 * client's bytes, its output compared with the primary's) and the primary's read log as the backup follows it.
 * Depends on {@code track}; hands the tracker bytes through its inbox, never writes its streams.
 */
package io.understudy.backup.replica;
