package io.understudy.logger;

/**
 * What a {@link LogTail} has done since it started, for the admin API and tests.
 *
 * @param connected true while a connection to the logger is up.
 * @param received  records handed to the sink.
 * @param lastIndex the index of the last record handed to the sink, -1 before any.
 * @param lastError the last failure (connect, ERROR from the logger, lost connection, sink failure), or null.
 */
public record TailStats(boolean connected, long received, long lastIndex, String lastError) {}
