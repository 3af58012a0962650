package io.understudy.backup;

/**
 * What the hot replica counted. Written by the capture thread; read by others.
 */
final class ReplicaCounters
{
    /** Replica connections that could not be opened or failed later: those connections are not protected. */
    volatile long replicaFailures;
    volatile long divergences;
    /** Server bytes the tap missed and took from the replica's output instead. */
    volatile long serverBytesFromReplica;
}
