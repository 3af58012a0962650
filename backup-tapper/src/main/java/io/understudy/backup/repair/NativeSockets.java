package io.understudy.backup.repair;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.channels.SocketChannel;

/**
 * setsockopt/getsockopt on the file descriptor of a {@link SocketChannel}. The descriptor comes from the JDK's
 * {@code sun.nio.ch.SelChImpl#getFDVal()}, which needs {@code --add-opens=java.base/sun.nio.ch=ALL-UNNAMED}.
 * Every failure is a {@link TcpRepairException} naming the option, the value and the errno.
 */
public final class NativeSockets {
    private static final String ADD_OPENS = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    private static final Method GET_FD_VAL;
    private static final String GET_FD_VAL_PROBLEM;

    static {
        Method method = null;
        String problem = null;
        try {
            method = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
            method.setAccessible(true);
        } catch (final ReflectiveOperationException | RuntimeException ex) {
            method = null;
            problem = ex.toString();
        }
        GET_FD_VAL = method;
        GET_FD_VAL_PROBLEM = problem;
    }

    private NativeSockets() {}

    /** The file descriptor of an open JDK socket channel. */
    public static int fd(final SocketChannel channel) throws IOException {
        if (GET_FD_VAL == null) {
            throw new TcpRepairException(
                    "file descriptor of " + channel,
                    "sun.nio.ch is not open to this code: start the JVM with " + ADD_OPENS + " (" + GET_FD_VAL_PROBLEM
                            + ")",
                    null);
        }
        if (!channel.isOpen()) {
            throw new TcpRepairException("file descriptor of " + channel, "the channel is closed", null);
        }
        try {
            return (Integer) GET_FD_VAL.invoke(channel);
        } catch (final IllegalAccessException | IllegalArgumentException | InvocationTargetException ex) {
            throw new TcpRepairException(
                    "file descriptor of " + channel,
                    "not a JDK socket channel (" + channel.getClass().getName() + ")",
                    ex);
        }
    }

    public static void setInt(final SocketChannel channel, final SocketOption option, final int value)
            throws IOException {
        final int fd = fd(channel);
        try {
            LibC.setsockopt(fd, option.level, option.number, new int[] {value}, Integer.BYTES);
        } catch (final LastErrorException ex) {
            throw failure("setsockopt(" + option.name() + "=" + Integer.toUnsignedString(value) + ") on fd " + fd, ex);
        }
    }

    /** setsockopt with a buffer already filled in; {@code described} is the option and value for error messages. */
    public static void set(
            final SocketChannel channel, final SocketOption option, final Memory value, final String described)
            throws IOException {
        final int fd = fd(channel);
        try {
            LibC.setsockopt(fd, option.level, option.number, value, (int) value.size());
        } catch (final LastErrorException ex) {
            throw failure("setsockopt(" + described + ") on fd " + fd, ex);
        }
    }

    /** An ioctl whose result is an int (SIOCINQ, SIOCOUTQ); {@code name} for error messages. */
    public static int ioctlInt(final SocketChannel channel, final long request, final String name) throws IOException {
        final int fd = fd(channel);
        final int[] value = new int[1];
        try {
            LibC.ioctl(fd, request, value);
        } catch (final LastErrorException ex) {
            throw failure("ioctl(" + name + ") on fd " + fd, ex);
        }
        return value[0];
    }

    /** recv with {@code flags} into {@code buffer}; returns the bytes received. */
    public static int receive(final SocketChannel channel, final byte[] buffer, final int flags, final String described)
            throws IOException {
        final int fd = fd(channel);
        try {
            return (int) LibC.recv(fd, buffer, buffer.length, flags);
        } catch (final LastErrorException ex) {
            throw failure("recv(" + described + ") on fd " + fd, ex);
        }
    }

    public static int getInt(final SocketChannel channel, final SocketOption option) throws IOException {
        try (Memory memory = get(channel, option, Integer.BYTES)) {
            return memory.getInt(0);
        }
    }

    /** getsockopt into a zeroed buffer of {@code lengthBytes}; the caller closes the returned memory. */
    public static Memory get(final SocketChannel channel, final SocketOption option, final int lengthBytes)
            throws IOException {
        final int fd = fd(channel);
        final Memory memory = new Memory(lengthBytes);
        memory.clear();
        try {
            LibC.getsockopt(fd, option.level, option.number, memory, new int[] {lengthBytes});
        } catch (final LastErrorException ex) {
            memory.close();
            throw failure("getsockopt(" + option.name() + ") on fd " + fd, ex);
        }
        return memory;
    }

    private static TcpRepairException failure(final String operation, final LastErrorException ex) {
        final int errno = ex.getErrorCode();
        String text;
        try {
            text = LibC.strerror(errno);
        } catch (final RuntimeException | LinkageError failed) {
            text = "strerror failed: " + failed;
        }
        return new TcpRepairException(operation, errno, text);
    }
}
