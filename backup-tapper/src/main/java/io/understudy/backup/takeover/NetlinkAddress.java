package io.understudy.backup.takeover;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * Adds an IPv4 address to an interface with one rtnetlink request (RTM_NEWADDR), as {@code ip addr add} does, without
 * starting a process: the claim of the service address is on every client's stall, and the {@code ip} command took
 * 20-40 ms of it on the lab's loaded host, most of it the fork and exec. Used only for a claim command of exactly that
 * shape ({@link #parse}); anything else, or a netlink failure other than "already there", runs the command as before.
 */
public final class NetlinkAddress {
    /** What {@code ip addr add CIDR dev IFACE} asks for. */
    public record Request(Inet4Address address, int prefixLength, String interfaceName) {}

    private static final int AF_NETLINK = 16;
    private static final int AF_INET = 2;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_ROUTE = 0;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final short RTM_NEWADDR = 20;
    private static final short NLMSG_ERROR = 2;
    private static final short NLM_F_REQUEST = 0x1;
    private static final short NLM_F_ACK = 0x4;
    private static final short NLM_F_EXCL = 0x200;
    private static final short NLM_F_CREATE = 0x400;
    private static final short IFA_ADDRESS = 1;
    private static final short IFA_LOCAL = 2;
    /** EEXIST: the interface has the address already; {@code ip} then says "File exists". */
    public static final int EEXIST = 17;

    /** libc by JNA's direct mapping: a call costs about a JNI call (the claim is on every client's stall). */
    private static final class Libc {
        static {
            Native.register(Libc.class, Platform.C_LIBRARY_NAME);
        }

        private Libc() {}

        static native int socket(int domain, int type, int protocol) throws LastErrorException;

        static native int setsockopt(int fd, int level, int optionName, long[] value, int optionLength)
                throws LastErrorException;

        static native long send(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

        static native long recv(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

        static native int close(int fd);

        static native int if_nametoindex(String name);

        static native String strerror(int errno);
    }

    private NetlinkAddress() {}

    /**
     * The request in a claim command of the shape {@code [ip|/path/ip, addr|address|a, add, A.B.C.D/N, dev, IFACE]};
     * empty for any other command (a script, sudo, extra options), which is then run as it is.
     */
    public static Optional<Request> parse(final List<String> command) {
        if (command.size() != 6
                || !(command.get(0).equals("ip") || command.get(0).endsWith("/ip"))
                || !List.of("a", "addr", "address").contains(command.get(1))
                || !command.get(2).equals("add")
                || !command.get(4).equals("dev")) {
            return Optional.empty();
        }
        final String cidr = command.get(3);
        final int slash = cidr.indexOf('/');
        if (slash < 0
                || !cidr.substring(0, slash).matches("\\d{1,3}(\\.\\d{1,3}){3}")
                || !cidr.substring(slash + 1).matches("\\d{1,2}")) {
            return Optional.empty();
        }
        final int prefix = Integer.parseInt(cidr.substring(slash + 1));
        try {
            if (prefix > 32 || !(InetAddress.getByName(cidr.substring(0, slash)) instanceof Inet4Address address)) {
                return Optional.empty();
            }
            return Optional.of(new Request(address, prefix, command.get(5)));
        } catch (final java.net.UnknownHostException ex) {
            return Optional.empty(); // an octet above 255: the command says what is wrong with it
        }
    }

    /** The RTM_NEWADDR message for {@code request} on the interface with index {@code ifindex}. */
    public static byte[] newAddressMessage(final Request request, final int ifindex, final int seq) {
        final ByteBuffer message = ByteBuffer.allocate(16 + 8 + 8 + 8).order(ByteOrder.nativeOrder());
        message.putInt(message.capacity())
                .putShort(RTM_NEWADDR)
                .putShort((short) (NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE))
                .putInt(seq)
                .putInt(0);
        message.put((byte) AF_INET)
                .put((byte) request.prefixLength())
                .put((byte) 0)
                .put((byte) 0)
                .putInt(ifindex);
        final byte[] address = request.address().getAddress();
        message.putShort((short) 8).putShort(IFA_LOCAL).put(address);
        message.putShort((short) 8).putShort(IFA_ADDRESS).put(address);
        return message.array();
    }

    /**
     * The errno in the kernel's answer to the message with sequence number {@code seq} (0: done), or empty when the
     * answer is not such an acknowledgement.
     */
    public static Optional<Integer> ackErrno(final byte[] answer, final int length, final int seq) {
        if (length < 20) {
            return Optional.empty();
        }
        final ByteBuffer in = ByteBuffer.wrap(answer, 0, length).order(ByteOrder.nativeOrder());
        if (in.getShort(4) != NLMSG_ERROR || in.getInt(8) != seq) {
            return Optional.empty();
        }
        return Optional.of(-in.getInt(16));
    }

    /**
     * Loads and links the native calls and looks the interface up, so that the claim at a takeover does not pay for
     * that (the first claim by netlink took 23-41 ms in the lab, later ones 5-8 ms).
     *
     * @return whether the interface exists.
     */
    public static boolean warmUp(final String interfaceName) {
        return Libc.if_nametoindex(interfaceName) != 0;
    }

    /**
     * Adds the address; an interface that has it already counts as done.
     *
     * @throws IOException naming the interface and the kernel's reason (no such interface, no permission, ...).
     */
    public static void add(final Request request) throws IOException {
        // Not NetworkInterface: it lists only interfaces that have an address already.
        final int ifindex = Libc.if_nametoindex(request.interfaceName());
        if (ifindex == 0) {
            throw new IOException("no interface " + request.interfaceName());
        }
        final int fd;
        try {
            fd = Libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        } catch (final LastErrorException ex) {
            throw new IOException("netlink socket: " + Libc.strerror(ex.getErrorCode()), ex);
        }
        try {
            // struct timeval {1 s, 0}: a wedged kernel cannot hold the claim.
            Libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new long[] {1, 0}, 16);
            final int seq = (int) System.nanoTime() & 0x7fffffff;
            final byte[] message = newAddressMessage(request, ifindex, seq);
            if (Libc.send(fd, message, message.length, 0) != message.length) {
                throw new IOException("netlink send: short write");
            }
            final byte[] answer = new byte[8192];
            while (true) {
                final long read = Libc.recv(fd, answer, answer.length, 0);
                final Optional<Integer> errno = ackErrno(answer, (int) read, seq);
                if (errno.isPresent()) {
                    if (errno.get() != 0 && errno.get() != EEXIST) {
                        throw new IOException("the kernel refused "
                                + request.address().getHostAddress() + "/" + request.prefixLength()
                                + " on " + request.interfaceName() + ": " + Libc.strerror(errno.get()));
                    }
                    return;
                }
            }
        } catch (final LastErrorException ex) {
            throw new IOException("netlink: " + Libc.strerror(ex.getErrorCode()), ex);
        } finally {
            Libc.close(fd);
        }
    }
}
