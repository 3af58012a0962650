/**
 * Connection state, and its one owner: {@link io.understudy.backup.track.TcpTracker} follows every connection from
 * the segments it is given and tells its {@link io.understudy.backup.track.TapListener}s what it learns, in order.
 * They hand it what they learn elsewhere through its {@link io.understudy.backup.track.TrackerInbox}, and report how
 * far they are; the connection releases what none needs. Depends on no other package of the backup.
 */
package io.understudy.backup.track;
