package io.understudy.backup;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * Raises the calling thread's scheduling weight: nice -10 (setpriority(2) with PRIO_PROCESS and who 0, which on Linux
 * is the calling thread only), so that on a busy host a heartbeat or capture thread that wakes up runs at once and
 * gets about ten times an ordinary thread's share. Not SCHED_FIFO: a real-time thread in a JVM that spins or waits on a lock
 * held by an ordinary thread can starve the whole host (a lab run with SCHED_FIFO heartbeat threads saw ops/lab take
 * 11 s; the cause was not proven, the risk is known). Needs
 * CAP_SYS_NICE (root has it); without it the thread stays as it was and the caller says so.
 */
public final class ThreadPriority {
    /** The nice value the heartbeat threads ask for. */
    public static final int NICE = -10;

    private static final int PRIO_PROCESS = 0;

    private interface Priority extends Library {
        int setpriority(int which, int who, int prio);
    }

    private ThreadPriority() {}

    /** @return null when the calling thread now runs at nice -10, else why not */
    public static String raiseCurrentThread() {
        try {
            final Priority libc = Native.load("c", Priority.class);
            if (libc.setpriority(PRIO_PROCESS, 0, NICE) == 0) {
                return null;
            }
            return "setpriority(" + NICE + ") failed with errno " + Native.getLastError() + " (needs CAP_SYS_NICE)";
        } catch (final UnsatisfiedLinkError | RuntimeException ex) {
            return "setpriority unavailable: " + ex;
        }
    }
}
