package io.understudy.admin.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the process that owns the TCP listener on an address: the kernel's socket tables (/proc/self/net/tcp and
 * tcp6, this network namespace) give the listener's socket inode, and /proc/PID/fd (every process on the machine)
 * shows which process holds "socket:[inode]". Inodes are unique machine-wide, so the two views fit together.
 */
final class ListenerOwner {
    private static final List<Path> TABLES = List.of(Path.of("/proc/self/net/tcp"), Path.of("/proc/self/net/tcp6"));
    private static final String LISTEN = "0A";
    private static final int LOCAL_ADDRESS_COLUMN = 1;
    private static final int STATE_COLUMN = 3;
    private static final int INODE_COLUMN = 9;

    private ListenerOwner() {}

    /** The lowest pid holding the listener (the master of a prefork server), or an IOException naming the address. */
    static long pidOf(final InetSocketAddress address) throws IOException {
        final Set<String> sockets = new HashSet<>();
        for (final Path table : TABLES) {
            if (Files.exists(table)) {
                for (final String line : Files.readAllLines(table)) {
                    final String inode = listenerInode(line, address);
                    if (inode != null) {
                        sockets.add("socket:[" + inode + "]");
                    }
                }
            }
        }
        if (sockets.isEmpty()) {
            throw new IOException("nothing listens on " + text(address) + " (in this node's network namespace)");
        }
        final OptionalLong owner = lowestPidHolding(sockets);
        if (owner.isEmpty()) {
            throw new IOException("no process owns the listener on " + text(address) + " (" + sockets
                    + "): none that this node can see in /proc/PID/fd");
        }
        return owner.getAsLong();
    }

    /**
     * The socket inode of one line of /proc/net/tcp or tcp6 when it is a listener on the address (or on the wildcard
     * address at its port), else null.
     */
    static String listenerInode(final String line, final InetSocketAddress address) {
        final String[] columns = line.strip().split("\\s+");
        if (columns.length <= INODE_COLUMN || !columns[STATE_COLUMN].equals(LISTEN)) {
            return null;
        }
        final int colon = columns[LOCAL_ADDRESS_COLUMN].indexOf(':');
        if (colon < 0) {
            return null;
        }
        final InetAddress local = kernelAddress(columns[LOCAL_ADDRESS_COLUMN].substring(0, colon));
        final int port = Integer.parseInt(columns[LOCAL_ADDRESS_COLUMN].substring(colon + 1), 16);
        final boolean sameAddress = local != null && (local.isAnyLocalAddress() || local.equals(address.getAddress()));
        return sameAddress && port == address.getPort() && !columns[INODE_COLUMN].equals("0")
                ? columns[INODE_COLUMN]
                : null;
    }

    /**
     * An address as the kernel prints it: 32-bit words in host order, each as %08X. On a little-endian machine the
     * bytes of each word come reversed (127.0.0.1 is 0100007F). A v4-mapped v6 address comes back as an IPv4 one.
     */
    static InetAddress kernelAddress(final String hex) {
        if (hex.length() != 8 && hex.length() != 32) {
            return null;
        }
        final byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                final int at = (word + 3 - i) * 2;
                bytes[word + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (final UnknownHostException ex) {
            return null;
        }
    }

    private static OptionalLong lowestPidHolding(final Set<String> sockets) throws IOException {
        final long[] pids;
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            pids = entries.map(path -> path.getFileName().toString())
                    .filter(name -> name.matches("[0-9]+"))
                    .mapToLong(Long::parseLong)
                    .sorted()
                    .toArray();
        }
        for (final long pid : pids) {
            if (holdsAny(pid, sockets)) {
                return OptionalLong.of(pid);
            }
        }
        return OptionalLong.empty();
    }

    /** Processes and their fds come and go, and some are hidden from this node: what cannot be read is skipped. */
    private static boolean holdsAny(final long pid, final Set<String> sockets) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (final Path fd : fds) {
                if (sockets.contains(linkTarget(fd))) {
                    return true;
                }
            }
        } catch (final IOException | SecurityException | DirectoryIteratorException ex) {
            return false;
        }
        return false;
    }

    private static String linkTarget(final Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (final IOException | SecurityException ex) {
            return "";
        }
    }

    static String text(final InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
