package io.understudy.admin.core;

/**
 * What a node does in the pair.
 */
public enum Role {
    /** Holds the service address and relays clients to its app. */
    PRIMARY,
    /** Stands by on the same LAN, ready to take the service over. */
    BACKUP
}
