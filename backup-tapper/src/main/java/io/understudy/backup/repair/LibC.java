package io.understudy.backup.repair;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The three libc calls the repair code needs, bound through JNA. JNA keeps errno per thread after every call, so
 * {@link Native#getLastError()} right after a failed call is that call's errno.
 */
interface LibC extends Library
{
    LibC INSTANCE = Native.load("c", LibC.class);

    int setsockopt(int fd, int level, int optionName, Pointer optionValue, int optionLength);

    int getsockopt(int fd, int level, int optionName, Pointer optionValue, IntByReference optionLength);

    String strerror(int errno);
}
