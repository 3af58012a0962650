package io.understudy.backup.repair;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls the repair code needs, bound by JNA's direct mapping: a call costs about a JNI call, where the
 * interface mapping went through a reflective proxy and a native buffer allocated per call (the takeover makes about
 * 15 of them per socket it restores). A failed call throws {@link LastErrorException} with its errno.
 */
public final class LibC {
    static {
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {}

    /** setsockopt with an int value (Java copies the one-element array to native memory for the call). */
    public static native int setsockopt(int fd, int level, int optionName, int[] value, int optionLength)
            throws LastErrorException;

    public static native int setsockopt(int fd, int level, int optionName, Pointer value, int optionLength)
            throws LastErrorException;

    public static native int getsockopt(int fd, int level, int optionName, Pointer value, int[] optionLength)
            throws LastErrorException;

    /** recv(2) into a Java array (copied back after the call); returns the bytes received. */
    public static native long recv(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

    /** ioctl(2) with an int result (SIOCINQ, SIOCOUTQ). */
    public static native int ioctl(int fd, long request, int[] value) throws LastErrorException;

    public static native String strerror(int errno);
}
