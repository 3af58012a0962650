package io.understudy.logger;

/** Why a connection left the log's set of live connections. */
public enum CloseReason {
    /** Both sides sent FIN and both FINs were acknowledged. */
    FIN_BOTH,
    /** Either side, or Understudy itself, reset the connection. */
    RESET,
    /** Understudy stopped tracking it (idle too long, table full) without seeing it end. */
    EVICTED
}
