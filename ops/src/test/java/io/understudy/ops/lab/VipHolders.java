package io.understudy.ops.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Follows who holds the VIP on the lab's primary and backup, so a test can assert there was never more than one
 * holder ({@link #overlaps()}). One {@code ip -n NS -4 monitor address} per host reports each change, stamped as its
 * line arrives; a background thread samples both hosts every 20 ms with {@code ip -n NS -4 -o addr show dev eth0} as a
 * cross-check and logs where a sample and the monitor disagree. Each of these processes runs in its host's network
 * namespace marked {@code UNDERSTUDY_LAB_OBSERVER=1}: the lab's pause and fence spare it, as a switch watching a host
 * is not frozen or powered off with it (a frozen monitor reported a fenced host's VIP removal late, after the
 * backup's claim, and made a 187 ms "overlap" out of nothing). One {@code ip -n PREFIX-lan monitor link} follows the
 * hosts' bridge ports: a host whose port is down (the lab's fence) holds nothing on the LAN, as a powered-off host
 * does not, whatever its interface still says (a fenced host's VIP left its interface 26 ms after the new holder's
 * claim, 91 ms after its port went down, and counted as a 21 ms "overlap").
 */
final class VipHolders implements AutoCloseable {
    static final String INTERFACE = "eth0";
    static final Duration SAMPLE_INTERVAL = Duration.ofMillis(20);
    static final String INITIAL = "initial";
    static final String MONITOR = "monitor";

    /** What a change is about: the VIP on the host's interface, or the host's port on the lab's bridge. */
    enum Aspect {
        ADDRESS,
        LINK
    }

    /**
     * One host starting ({@code holds}) or stopping to hold the VIP (ADDRESS), or its bridge port going up
     * ({@code holds}) or down (LINK), stamped when the lab reported it. A host holds the VIP on the LAN only while it
     * has the address and its port is up: a fenced host (its port down) answers nobody, whatever its interface says.
     */
    record Change(String host, boolean holds, long nanoTime, Instant at, String source, Aspect aspect) {
        Change(final String host, final boolean holds, final long nanoTime, final Instant at, final String source) {
            this(host, holds, nanoTime, at, source, Aspect.ADDRESS);
        }
    }

    /** A time when both hosts held the VIP; {@code ongoing} when the watch ended with both still holding it. */
    record Overlap(Instant start, Instant end, Duration duration, boolean ongoing) {}

    private final String prefix;
    private final List<String> hosts;
    private final List<Process> monitors = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Change> changes = new ArrayList<>(); // guarded by this
    private final Map<String, Boolean> monitorView = new HashMap<>(); // guarded by this
    private final Map<String, Boolean> linkView = new HashMap<>(); // guarded by this
    private final Map<String, Integer> changeCounts = new HashMap<>(); // guarded by this
    private final List<String> disagreements = new ArrayList<>(); // guarded by this
    private final AtomicInteger samples = new AtomicInteger();
    private volatile boolean closed;
    private volatile Process sampling;

    private VipHolders(final String prefix, final List<String> hosts) {
        this.prefix = prefix;
        this.hosts = List.copyOf(hosts);
    }

    /** Starts watching the primary and backup of the lab the tests use ({@link Lab#PREFIX}). */
    static VipHolders watch() {
        return watch(Lab.PREFIX);
    }

    /** Starts watching the primary and backup of the lab with this prefix; closes what it started if it fails. */
    static VipHolders watch(final String prefix) {
        final VipHolders holders = new VipHolders(prefix, List.of(Lab.PRIMARY, Lab.BACKUP));
        try {
            for (final String host : holders.hosts) {
                holders.startMonitor(host);
            }
            holders.startLinkMonitor();
            for (final String host : holders.hosts) {
                holders.onLinkReport(host, portUp(holders.linkShow(host), host), INITIAL);
            }
            // After the monitors, so that a change is either in the starting state or reported by a monitor.
            for (final String host : holders.hosts) {
                final boolean holds = holdsVip(holders.addrShow(host), Lab.VIP, INTERFACE);
                holders.onReport(host, holds, System.nanoTime(), Instant.now(), INITIAL);
            }
            holders.startThread("vip-sampler", holders::sampleUntilClosed);
            return holders;
        } catch (final RuntimeException ex) {
            holders.close();
            throw ex;
        }
    }

    /** The intervals in which both hosts held the VIP, until now (one still going is closed now, as ongoing). */
    List<Overlap> overlaps() {
        return overlaps(changes(), System.nanoTime(), Instant.now());
    }

    /** Every change, one line each, with the time since the watch started, then any disagreement of the samples. */
    List<String> timeline() {
        final List<String> lines = new ArrayList<>(timeline(changes()));
        synchronized (this) {
            disagreements.forEach(line -> lines.add("DISAGREEMENT " + line));
        }
        return lines;
    }

    /** How many rounds of samples (both hosts each) were taken. */
    int samples() {
        return samples.get();
    }

    /** Every change so far, in time order (a sample's change may be stamped before one a monitor reported). */
    synchronized List<Change> changes() {
        final List<Change> sorted = new ArrayList<>(changes);
        sorted.sort(java.util.Comparator.comparingLong(Change::nanoTime));
        return List.copyOf(sorted);
    }

    synchronized List<String> disagreements() {
        return List.copyOf(disagreements);
    }

    /** Kills every process it started (and their descendants) and stops its threads; safe to call more than once. */
    @Override
    public void close() {
        closed = true;
        final List<Process> toKill = new ArrayList<>(monitors);
        final Process sample = sampling;
        if (sample != null) {
            toKill.add(sample);
        }
        for (final Process process : toKill) {
            try {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    System.out.println("VipHolders: process " + process.pid() + " lives 5 s after SIGKILL");
                }
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            } catch (final RuntimeException ex) {
                System.out.println("VipHolders: could not kill process " + process.pid() + ": " + ex);
            }
        }
        for (final Thread thread : threads) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- pure functions

    /** True when {@code ip -4 -o addr show} output has {@code vip} on {@code iface}. */
    static boolean holdsVip(final String addrShowOutput, final String vip, final String iface) {
        return addrShowOutput.lines().anyMatch(line -> isVipLine(line, vip, iface));
    }

    /**
     * What one line of {@code ip -4 monitor address} says about {@code vip} on {@code iface}: added (true), deleted
     * ("Deleted ..." lines, false) or nothing (other addresses, other devices, the "valid_lft" continuation lines).
     */
    static Optional<Boolean> parseMonitorLine(final String line, final String vip, final String iface) {
        final boolean deleted = line.startsWith("Deleted ");
        final String rest = deleted ? line.substring("Deleted ".length()) : line;
        return isVipLine(rest, vip, iface) ? Optional.of(!deleted) : Optional.empty();
    }

    private static boolean isVipLine(final String line, final String vip, final String iface) {
        // "2: eth0    inet 198.18.0.100/24 scope global secondary eth0\       valid_lft forever ..."
        final String[] tokens = line.trim().split("\\s+");
        if (tokens.length < 4
                || !tokens[0].endsWith(":")
                || !tokens[1].replaceFirst("@.*", "").equals(iface)) {
            return false;
        }
        return "inet".equals(tokens[2]) && tokens[3].startsWith(vip + "/");
    }

    /**
     * The intervals in which two or more hosts held the VIP, from {@code changes} in the order they arrived (a change
     * that repeats a host's state changes nothing); one still going at {@code endNanoTime} ends there, as ongoing.
     */
    static List<Overlap> overlaps(final List<Change> changes, final long endNanoTime, final Instant endAt) {
        final LanView lan = new LanView();
        final List<Overlap> overlaps = new ArrayList<>();
        Change start = null;
        for (final Change change : changes) {
            final long holders = lan.apply(change).size();
            if (start == null && holders >= 2) {
                start = change;
            } else if (start != null && holders < 2) {
                overlaps.add(overlap(start, change.nanoTime(), change.at(), false));
                start = null;
            }
        }
        if (start != null) {
            overlaps.add(overlap(start, endNanoTime, endAt, true));
        }
        return overlaps;
    }

    private static Overlap overlap(
            final Change start, final long endNanoTime, final Instant endAt, final boolean ongoing) {
        return new Overlap(start.at(), endAt, Duration.ofNanos(endNanoTime - start.nanoTime()), ongoing);
    }

    /** One line a change: "+12.345 ms 2024-...Z primary holds the VIP (monitor); holders: primary". */
    static List<String> timeline(final List<Change> changes) {
        final LanView lan = new LanView();
        final List<String> lines = new ArrayList<>();
        final long origin = changes.isEmpty() ? 0 : changes.get(0).nanoTime();
        for (final Change change : changes) {
            final List<String> holders = lan.apply(change);
            lines.add(String.format(
                    Locale.ROOT,
                    "+%.3f ms %s %s %s (%s); holders: %s",
                    (change.nanoTime() - origin) / 1e6,
                    change.at(),
                    change.host(),
                    change.aspect() == Aspect.LINK
                            ? "port " + (change.holds() ? "up" : "down")
                            : describe(change.holds()) + " the VIP",
                    change.source(),
                    holders.isEmpty() ? "nobody" : String.join(",", holders)));
        }
        return lines;
    }

    /** Who holds the VIP on the LAN as changes arrive: the address on the host, and its port up (up until told). */
    private static final class LanView {
        private final Map<String, Boolean> address = new TreeMap<>();
        private final Map<String, Boolean> link = new HashMap<>();

        /** Applies one change; returns the holders after it, sorted. */
        List<String> apply(final Change change) {
            (change.aspect() == Aspect.LINK ? link : address).put(change.host(), change.holds());
            return address.entrySet().stream()
                    .filter(entry -> entry.getValue() && link.getOrDefault(entry.getKey(), true))
                    .map(Map.Entry::getKey)
                    .toList();
        }
    }

    /**
     * What one line of {@code ip monitor link} or {@code ip -o link show} in the lab's LAN namespace says about the
     * bridge port named {@code port}: up (its flags have UP), down, or nothing (another link, a continuation line).
     */
    static Optional<Boolean> parseLinkLine(final String line, final String port) {
        final String[] tokens = line.trim().split("\\s+");
        if (tokens.length < 3
                || !tokens[0].endsWith(":")
                || !tokens[1].replaceFirst("@.*", "").replaceFirst(":$", "").equals(port)
                || !tokens[2].startsWith("<")) {
            return Optional.empty();
        }
        final String flags =
                tokens[2].substring(1, tokens[2].indexOf('>') < 0 ? tokens[2].length() : tokens[2].indexOf('>'));
        return Optional.of(List.of(flags.split(",")).contains("UP"));
    }

    private static boolean portUp(final String linkShowOutput, final String port) {
        return linkShowOutput
                .lines()
                .map(line -> parseLinkLine(line, port))
                .flatMap(Optional::stream)
                .findFirst()
                .orElse(true);
    }

    private static String describe(final boolean holds) {
        return holds ? "holds" : "does not hold";
    }

    // ---------------------------------------------------------------- processes

    private synchronized void onReport(
            final String host, final boolean holds, final long nanoTime, final Instant at, final String source) {
        if (Boolean.valueOf(holds).equals(monitorView.get(host))) {
            return;
        }
        monitorView.put(host, holds);
        changeCounts.merge(host, 1, Integer::sum);
        changes.add(new Change(host, holds, nanoTime, at, source));
    }

    private String namespace(final String host) {
        return prefix + "-" + host;
    }

    private synchronized void onLinkReport(final String host, final boolean up, final String source) {
        if (Boolean.valueOf(up).equals(linkView.get(host))) {
            return;
        }
        linkView.put(host, up);
        changes.add(new Change(host, up, System.nanoTime(), Instant.now(), source, Aspect.LINK));
    }

    private String lanNamespace() {
        return prefix + "-lan";
    }

    /** One {@code ip monitor link} in the LAN namespace: the fence takes a host's bridge port down there. */
    private void startLinkMonitor() {
        final Process monitor = start(List.of("ip", "-n", lanNamespace(), "monitor", "link"));
        monitors.add(monitor);
        startThread("vip-link-monitor", () -> {
            try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    for (final String host : hosts) {
                        final Optional<Boolean> up = parseLinkLine(line, host);
                        if (up.isPresent()) {
                            onLinkReport(host, up.get(), "link monitor");
                        }
                    }
                }
            } catch (final IOException ex) {
                if (!closed) {
                    System.out.println("VipHolders: reading the link monitor failed: " + ex);
                }
            }
        });
    }

    private String linkShow(final String host) {
        return run(List.of("ip", "-n", lanNamespace(), "-o", "link", "show", "dev", host), lanNamespace());
    }

    private void startMonitor(final String host) {
        final Process monitor = start(List.of("ip", "-n", namespace(host), "-4", "monitor", "address"));
        monitors.add(monitor);
        startThread("vip-monitor-" + host, () -> readMonitor(host, monitor));
    }

    private void readMonitor(final String host, final Process monitor) {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                final long nanoTime = System.nanoTime();
                final Instant at = Instant.now();
                final Optional<Boolean> holds = parseMonitorLine(line, Lab.VIP, INTERFACE);
                if (holds.isPresent()) {
                    onReport(host, holds.get(), nanoTime, at, MONITOR);
                }
            }
        } catch (final IOException ex) {
            if (!closed) {
                System.out.println("VipHolders: reading the monitor of " + host + " failed: " + ex);
            }
        }
        if (!closed) {
            // The lab's fence kills every process in the host's namespace, this monitor included: start another.
            System.out.println("VipHolders: the monitor of " + host + " ended before close(); starting another");
            try {
                startMonitor(host);
                onReport(
                        host,
                        holdsVip(addrShow(host), Lab.VIP, INTERFACE),
                        System.nanoTime(),
                        Instant.now(),
                        "restarted monitor");
            } catch (final RuntimeException ex) {
                System.out.println("VipHolders: could not restart the monitor of " + host + ": " + ex);
            }
        }
    }

    private void sampleUntilClosed() {
        long next = System.nanoTime();
        while (!closed) {
            for (final String host : hosts) {
                sample(host);
            }
            samples.incrementAndGet();
            next += SAMPLE_INTERVAL.toNanos();
            final long waitNs = next - System.nanoTime();
            if (waitNs > 0) {
                LockSupport.parkNanos(waitNs);
            } else {
                next = System.nanoTime(); // behind (busy machine): sample again at once, do not catch up in bursts
            }
        }
    }

    /** A sample disagrees when the monitor reported no change of that host while it ran and says otherwise. */
    private void sample(final String host) {
        final int countBefore;
        synchronized (this) {
            countBefore = changeCounts.getOrDefault(host, 0);
        }
        final String output;
        final long startNs = System.nanoTime();
        final Instant startAt = Instant.now();
        try {
            output = addrShow(host);
        } catch (final RuntimeException ex) {
            if (!closed) {
                synchronized (this) {
                    disagreements.add(Instant.now() + " " + host + ": sample failed: " + ex.getMessage());
                }
            }
            return;
        }
        final boolean sampled = holdsVip(output, Lab.VIP, INTERFACE);
        synchronized (this) {
            final boolean monitorSays = monitorView.getOrDefault(host, false);
            if (changeCounts.getOrDefault(host, 0) == countBefore && sampled != monitorSays && !closed) {
                final String line = Instant.now() + " " + host + ": sample says " + describe(sampled)
                        + ", monitor says " + describe(monitorSays);
                disagreements.add(line);
                System.out.println("VipHolders: DISAGREEMENT " + line);
                // The sample is the truth the monitor missed (it may have been killed). Stamped to count against a
                // second holder: a new holder from when the sample started, a release from when it ended.
                monitorView.put(host, sampled);
                changeCounts.merge(host, 1, Integer::sum);
                changes.add(
                        sampled
                                ? new Change(host, true, startNs, startAt, "sample")
                                : new Change(host, false, System.nanoTime(), Instant.now(), "sample"));
            }
        }
    }

    private String addrShow(final String host) {
        return run(List.of("ip", "-n", namespace(host), "-4", "-o", "addr", "show", "dev", INTERFACE), namespace(host));
    }

    private String run(final List<String> command, final String namespace) {
        final Process process = start(command);
        sampling = process;
        try {
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(command + " in " + namespace + " failed: " + output);
            }
            return output;
        } catch (final IOException ex) {
            throw new IllegalStateException(command + " in " + namespace + ": " + ex, ex);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sampling " + namespace, ex);
        } finally {
            process.destroyForcibly();
            sampling = null;
        }
    }

    /** What marks the observer's processes for ops/lab, which spares them in fail pause, host-crash and fence. */
    static final String OBSERVER_VARIABLE = "UNDERSTUDY_LAB_OBSERVER";

    private static Process start(final List<String> command) {
        try {
            final ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().put(OBSERVER_VARIABLE, "1");
            return builder.start();
        } catch (final IOException ex) {
            throw new IllegalStateException("cannot start " + command + ": " + ex, ex);
        }
    }

    private void startThread(final String name, final Runnable body) {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }
}
