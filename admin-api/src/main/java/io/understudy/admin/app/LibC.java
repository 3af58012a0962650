package io.understudy.admin.app;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The libc calls the app watch needs, bound through JNA. JNA keeps errno per thread after every call, so
 * {@link Native#getLastError()} right after a failed call is that call's errno.
 */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int EPERM = 1;
    int ESRCH = 3;
    int EINTR = 4;
    short POLLIN = 0x0001;

    /** syscall(2): glibc has no pidfd_open wrapper before 2.36, so the node calls it by number. */
    NativeLong syscall(NativeLong number, Object... args);

    /** poll(2) on an array of struct pollfd { int fd; short events; short revents; }. */
    int poll(Pointer fds, NativeLong count, int timeoutMs);

    int ioctl(int fd, NativeLong request, Pointer argument);

    int kill(int pid, int signal);

    int close(int fd);

    String strerror(int errno);
}
