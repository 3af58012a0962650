package io.understudy.backup;

/**
 * What the hot replica counted. Written by the capture thread; read by others.
 */
final class ReplicaCounters
{
    volatile long replicasOpened;
    volatile long replicaFailures;
    volatile long divergences;
    volatile long bytesFed;
    volatile long bytesCompared;
    /** Server bytes the tap missed and took from the replica's output instead. */
    volatile long serverBytesFromReplica;
}
