package io.understudy.logger;

/**
 * A record the primary ships to the logger (LogShipper to LogServer). Each carries the writer's sequence number,
 * which rises strictly along everything a primary ships and across its restarts, so the logger can drop a resent
 * record it already holds.
 */
public sealed interface ShippedRecord extends LogRecord permits PrimaryOpened, PrimaryRead, PrimaryWrite, PrimaryEnded {
    /** The writer's sequence number, greater than 0. */
    long seq();
}
