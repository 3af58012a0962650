package io.understudy.primary;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.channels.NetworkChannel;

/**
 * The file descriptor of a JDK socket channel ({@code sun.nio.ch.SelChImpl#getFDVal()}, which needs
 * {@code --add-opens=java.base/sun.nio.ch=ALL-UNNAMED}; the node's launcher passes it) and the libc socket-option
 * calls the JDK has no option for. Linux only.
 */
final class NativeSocket {
    static final int IPPROTO_IP = 0;
    /** Bind to an address not (yet) on this host: linux/in.h. */
    static final int IP_FREEBIND = 15;

    private static final Method FD_VAL =
            lookUp(() -> Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal"));
    static final Function GETSOCKOPT = lookUp(() -> Function.getFunction("c", "getsockopt"));
    private static final Function SETSOCKOPT = lookUp(() -> Function.getFunction("c", "setsockopt"));

    private NativeSocket() {}

    /** Whether descriptors and getsockopt can be reached here. */
    static boolean canGet() {
        return FD_VAL != null && GETSOCKOPT != null;
    }

    /** The descriptor of an open JDK channel. */
    static int fd(final NetworkChannel channel) throws ReflectiveOperationException {
        if (FD_VAL == null) {
            throw new ClassNotFoundException("sun.nio.ch.SelChImpl#getFDVal is not reachable: start the JVM with "
                    + "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
        }
        return (Integer) FD_VAL.invoke(channel);
    }

    /** setsockopt(level, option, int value) on {@code channel}, or an IOException naming the option and errno. */
    static void setInt(
            final NetworkChannel channel, final int level, final int option, final String name, final int value)
            throws IOException {
        if (SETSOCKOPT == null) {
            throw new IOException("setsockopt(" + name + ") is not reachable on this platform");
        }
        final int fd;
        try {
            fd = fd(channel);
        } catch (final ReflectiveOperationException | RuntimeException ex) {
            throw new IOException("setsockopt(" + name + "): no file descriptor for " + channel + ": " + ex, ex);
        }
        try (Memory memory = new Memory(Integer.BYTES)) {
            memory.setInt(0, value);
            if (SETSOCKOPT.invokeInt(new Object[] {fd, level, option, memory, Integer.BYTES}) != 0) {
                throw new IOException(
                        "setsockopt(" + name + "=" + value + ") failed: errno " + com.sun.jna.Native.getLastError());
            }
        }
    }

    private interface LookUp<T> {
        T get() throws ReflectiveOperationException;
    }

    private static <T> T lookUp(final LookUp<T> what) {
        try {
            final T found = what.get();
            if (found instanceof Method method) {
                method.setAccessible(true);
            }
            return found;
        } catch (final ReflectiveOperationException | UnsatisfiedLinkError | RuntimeException ex) {
            return null;
        }
    }
}
