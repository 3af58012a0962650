package io.understudy.logger;

/** How a side of a primary's connection ended. Logged by ordinal: append, never reorder. */
public enum EndKind {
    /** The client half-closed (FIN) after streamOffset client bytes. */
    CLIENT_FIN,
    /** The app half-closed after streamOffset server bytes. */
    APP_FIN,
    /** Both sides are done. */
    CLOSED,
    /** The client reset the connection. */
    CLIENT_RESET,
    /** The app reset the connection. */
    APP_RESET
}
