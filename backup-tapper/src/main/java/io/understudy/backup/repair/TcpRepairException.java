package io.understudy.backup.repair;

import java.io.IOException;

/**
 * A socket call of the repair sequence failed: says which call and option, the value, and the errno with its name
 * and text, e.g. {@code setsockopt(TCP_REPAIR=1) on fd 17: EPERM (errno 1, Operation not permitted)}.
 */
public final class TcpRepairException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int errno;

    public TcpRepairException(final String operation, final int errno, final String errnoText) {
        super(operation + ": " + Errno.name(errno) + " (errno " + errno + ", " + errnoText + ")");
        this.operation = operation;
        this.errno = errno;
    }

    public TcpRepairException(final String operation, final String reason, final Throwable cause) {
        super(operation + ": " + reason, cause);
        this.operation = operation;
        this.errno = 0;
    }

    /** The call that failed with its option and value, e.g. {@code setsockopt(TCP_QUEUE_SEQ=4294917296) on fd 17}. */
    public String operation() {
        return operation;
    }

    /** The errno the call left, 0 when the failure was not a system call error. */
    public int errno() {
        return errno;
    }

    /** True when the process lacks CAP_NET_ADMIN (TCP_REPAIR, IP_TRANSPARENT and the *FORCE options need it). */
    public boolean isPermissionDenied() {
        return errno == Errno.EPERM || errno == Errno.EACCES;
    }

    /** Names of the errno values these calls produce (asm-generic/errno-base.h, errno.h). */
    public static final class Errno {
        static final int EPERM = 1;
        static final int EACCES = 13;

        private Errno() {}

        static String name(final int errno) {
            switch (errno) {
                case 1:
                    return "EPERM";
                case 2:
                    return "ENOENT";
                case 9:
                    return "EBADF";
                case 11:
                    return "EAGAIN";
                case 13:
                    return "EACCES";
                case 14:
                    return "EFAULT";
                case 16:
                    return "EBUSY";
                case 22:
                    return "EINVAL";
                case 27:
                    return "EFBIG";
                case 88:
                    return "ENOTSOCK";
                case 92:
                    return "ENOPROTOOPT";
                case 95:
                    return "EOPNOTSUPP";
                case 98:
                    return "EADDRINUSE";
                case 99:
                    return "EADDRNOTAVAIL";
                case 101:
                    return "ENETUNREACH";
                case 106:
                    return "EISCONN";
                case 107:
                    return "ENOTCONN";
                default:
                    return "errno" + errno;
            }
        }
    }
}
