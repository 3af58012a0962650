package io.understudy.backup.replica;

/**
 * What the hot replica counted. Written by the capture thread; read by others.
 */
public final class ReplicaCounters {
    /** Replica connections that could not be opened or failed later: those connections are not protected. */
    public volatile long replicaFailures;

    public volatile long divergences;
    /** Same-length differences between a replica's output and the primary's that left protection on. */
    public volatile long toleratedDifferences;
    /** The differing bytes in them. */
    public volatile long toleratedDifferingBytes;
}
