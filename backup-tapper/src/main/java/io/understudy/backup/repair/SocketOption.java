package io.understudy.backup.repair;

/**
 * The Linux socket options the repair code sets, with their level and number (include/uapi/linux/tcp.h, in.h,
 * asm-generic/socket.h). The name is what error messages show.
 */
public enum SocketOption {
    SO_SNDBUFFORCE(Level.SOL_SOCKET, 32),
    SO_RCVBUFFORCE(Level.SOL_SOCKET, 33),
    SO_SNDBUF(Level.SOL_SOCKET, 7),
    SO_RCVBUF(Level.SOL_SOCKET, 8),
    IP_TRANSPARENT(Level.SOL_IP, 19),
    TCP_MAXSEG(Level.SOL_TCP, 2),
    TCP_REPAIR(Level.SOL_TCP, 19),
    TCP_REPAIR_QUEUE(Level.SOL_TCP, 20),
    TCP_QUEUE_SEQ(Level.SOL_TCP, 21),
    TCP_REPAIR_OPTIONS(Level.SOL_TCP, 22),
    TCP_TIMESTAMP(Level.SOL_TCP, 24),
    TCP_REPAIR_WINDOW(Level.SOL_TCP, 29);

    /** Protocol levels of setsockopt(2). */
    public static final class Level {
        static final int SOL_IP = 0;
        static final int SOL_SOCKET = 1;
        static final int SOL_TCP = 6;

        private Level() {}
    }

    public final int level;
    public final int number;

    SocketOption(final int level, final int number) {
        this.level = level;
        this.number = number;
    }
}
