package io.understudy.logger;

/** Which of a connection's two byte streams a record is about. */
public enum Direction {
    /** Bytes the client sent to the service. */
    CLIENT_TO_SERVER,
    /** Bytes the service sent to the client. */
    SERVER_TO_CLIENT
}
