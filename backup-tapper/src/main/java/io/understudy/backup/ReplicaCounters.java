package io.understudy.backup;

/**
 * What the hot replica counted. Written by the capture thread; read by others.
 */
final class ReplicaCounters {
    /** Replica connections that could not be opened or failed later: those connections are not protected. */
    volatile long replicaFailures;

    volatile long divergences;
    /** Same-length differences between a replica's output and the primary's that left protection on. */
    volatile long toleratedDifferences;
    /** The differing bytes in them. */
    volatile long toleratedDifferingBytes;
}
