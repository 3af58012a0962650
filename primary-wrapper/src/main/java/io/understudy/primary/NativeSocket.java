package io.understudy.primary;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
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
    private static final Function GETSOCKOPT = lookUp(() -> Function.getFunction("c", "getsockopt"));
    private static final Function SETSOCKOPT = lookUp(() -> Function.getFunction("c", "setsockopt"));
    private static final Function GETSOCKNAME = lookUp(() -> Function.getFunction("c", "getsockname"));
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    /** Room for any sockaddr (sizeof(struct sockaddr_storage)). */
    private static final int SOCKADDR_BYTES = 128;

    private NativeSocket() {}

    /** setsockopt(level, option, int value) on {@code channel}, or an IOException naming the option and errno. */
    static void setInt(
            final NetworkChannel channel, final int level, final int option, final String name, final int value)
            throws IOException {
        final int fd = fd(channel, SETSOCKOPT, "setsockopt(" + name + ")");
        try (Memory memory = new Memory(Integer.BYTES)) {
            memory.setInt(0, value);
            if (SETSOCKOPT.invokeInt(new Object[] {fd, level, option, memory, Integer.BYTES}) != 0) {
                throw new IOException("setsockopt(" + name + "=" + value + ") failed: errno " + Native.getLastError());
            }
        }
    }

    /**
     * getsockopt(level, option) on {@code channel} into a zeroed buffer of {@code lengthBytes}: the bytes the kernel
     * filled (it may fill fewer), or an IOException naming the option and errno.
     */
    static byte[] get(
            final NetworkChannel channel, final int level, final int option, final String name, final int lengthBytes)
            throws IOException {
        final String call = "getsockopt(" + name + ")";
        final int fd = fd(channel, GETSOCKOPT, call);
        try (Memory memory = new Memory(lengthBytes)) {
            memory.clear();
            final IntByReference length = new IntByReference(lengthBytes);
            if (GETSOCKOPT.invokeInt(new Object[] {fd, level, option, memory, length}) != 0) {
                throw new IOException(call + " on fd " + fd + " failed: errno " + Native.getLastError());
            }
            return memory.getByteArray(0, Math.min(length.getValue(), lengthBytes));
        }
    }

    /**
     * The port getsockname gives {@code channel}'s socket; 0 when it has none or is not an IP socket. A connect under
     * way has its port already, which the JDK reports only once the connect completes.
     */
    static int localPort(final NetworkChannel channel) throws IOException {
        final int fd = fd(channel, GETSOCKNAME, "getsockname");
        try (Memory address = new Memory(SOCKADDR_BYTES)) {
            address.clear();
            final IntByReference length = new IntByReference(SOCKADDR_BYTES);
            if (GETSOCKNAME.invokeInt(new Object[] {fd, address, length}) != 0) {
                throw new IOException("getsockname on fd " + fd + " failed: errno " + Native.getLastError());
            }
            final int family = address.getShort(0) & 0xFFFF; // sa_family, host order
            if (family != AF_INET && family != AF_INET6) {
                return 0;
            }
            // sin_port and sin6_port sit at the same offset, in network order.
            return (address.getByte(2) & 0xFF) << 8 | address.getByte(3) & 0xFF;
        }
    }

    /**
     * The descriptor of an open JDK channel, to pass to {@code function}; {@code call} names the socket call for the
     * error. A closed channel keeps its old number, which the process may have given to another file since.
     */
    private static int fd(final NetworkChannel channel, final Function function, final String call) throws IOException {
        if (function == null) {
            throw new IOException(call + " is not reachable on this platform");
        }
        if (FD_VAL == null) {
            throw new IOException(call + ": sun.nio.ch.SelChImpl#getFDVal is not reachable: start the JVM with "
                    + "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
        }
        if (!channel.isOpen()) {
            throw new IOException(call + ": " + channel + " is closed");
        }
        try {
            return (Integer) FD_VAL.invoke(channel);
        } catch (final ReflectiveOperationException | RuntimeException ex) {
            throw new IOException(call + ": no file descriptor for " + channel + ": " + ex, ex);
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
