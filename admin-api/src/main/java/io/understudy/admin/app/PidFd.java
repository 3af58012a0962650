package io.understudy.admin.app;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.util.OptionalInt;

/**
 * A pidfd (pidfd_open(2), Linux 5.3+): a handle on one process that cannot be fooled by pid reuse. It polls readable
 * once the process has exited (a zombie counts), and on Linux 6.15+ PIDFD_GET_INFO returns its wait status once it was
 * reaped. Layout of struct pidfd_info as in include/uapi/linux/pidfd.h, first published size (64 bytes):
 * <pre>
 *   offset  size  field
 *   0       8     mask       (in: what is asked; out: what was filled; PIDFD_INFO_EXIT = 1 << 3)
 *   8       8     cgroupid
 *   16      4x11  pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid
 *   60      4     exit_code  (s32, a wait(2) status)
 * </pre>
 */
final class PidFd {
    /** SYS_pidfd_open: 434 on x86_64 and aarch64 alike (both use the generic numbers from 424 on). */
    private static final long SYS_PIDFD_OPEN = 434;
    /** _IOWR(PIDFS_IOCTL_MAGIC 0xFF, 11, struct pidfd_info of 64 bytes) = (3 << 30) | (64 << 16) | (0xFF << 8) | 11. */
    private static final long PIDFD_GET_INFO = 0xC040_FF0BL;

    private static final long PIDFD_INFO_EXIT = 1L << 3;
    private static final int INFO_SIZE = 64;
    private static final int MASK_OFFSET = 0;
    private static final int EXIT_CODE_OFFSET = 60;
    private static final int POLLFD_SIZE = 8;
    private static final int EVENTS_OFFSET = 4;
    private static final int REVENTS_OFFSET = 6;

    private final int fd;

    private PidFd(final int fd) {
        this.fd = fd;
    }

    /**
     * Opens a pidfd on a process, or returns the errno as a negative number: -ESRCH when the process does not
     * exist, -ENOSYS on kernels before 5.3.
     */
    static long open(final long pid) {
        final long result = LibC.INSTANCE
                .syscall(new NativeLong(SYS_PIDFD_OPEN), (int) pid, 0)
                .longValue();
        return result >= 0 ? result : -Native.getLastError();
    }

    static PidFd of(final long fd) {
        return new PidFd((int) fd);
    }

    /**
     * Waits up to timeoutMs (0: not at all) for the process to exit. True once it has exited; false while it runs,
     * and false too when interrupted by a signal (the caller asks again).
     */
    boolean awaitExit(final int timeoutMs) {
        try (Memory pollFd = new Memory(POLLFD_SIZE)) {
            pollFd.setInt(0, fd);
            pollFd.setShort(EVENTS_OFFSET, LibC.POLLIN);
            pollFd.setShort(REVENTS_OFFSET, (short) 0);
            final int ready = LibC.INSTANCE.poll(pollFd, new NativeLong(1), timeoutMs);
            if (ready < 0) {
                final int errno = Native.getLastError();
                if (errno == LibC.EINTR) {
                    return false;
                }
                throw new IllegalStateException(
                        "poll on pidfd " + fd + " failed: errno=" + errno + " (" + LibC.INSTANCE.strerror(errno) + ")");
            }
            return ready > 0 && pollFd.getShort(REVENTS_OFFSET) != 0;
        }
    }

    /** The wait status from PIDFD_GET_INFO; empty before the process was reaped or on kernels before 6.15. */
    OptionalInt exitWaitStatus() {
        try (Memory info = new Memory(INFO_SIZE)) {
            info.clear();
            info.setLong(MASK_OFFSET, PIDFD_INFO_EXIT);
            if (LibC.INSTANCE.ioctl(fd, new NativeLong(PIDFD_GET_INFO), info) != 0
                    || (info.getLong(MASK_OFFSET) & PIDFD_INFO_EXIT) == 0) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(info.getInt(EXIT_CODE_OFFSET));
        }
    }

    void close() {
        LibC.INSTANCE.close(fd);
    }
}
