package io.understudy.logger;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;

/** Mounts and unmounts small tmpfs file systems for the lab tests that need a real full or read-only disk (root). */
final class Tmpfs {
    private Tmpfs() {}

    /** Mounts a tmpfs of {@code options} (e.g. "size=8m") named {@code name} on the mount point. */
    static void mount(final Path mountPoint, final String name, final String options) throws Exception {
        run("mount", "-t", "tmpfs", "-o", options, name, mountPoint.toString());
    }

    /** Unmounts after Chronicle has unmapped its closed files, lazily if something still holds it. */
    static void unmount(final Path mountPoint) throws Exception {
        BackgroundResourceReleaser.releasePendingResources(); // Chronicle unmaps closed files on its own thread
        try {
            run("umount", mountPoint.toString());
        } catch (final IllegalStateException busy) {
            run("umount", "--lazy", mountPoint.toString());
        }
    }

    private static void run(final String... command) throws Exception {
        final Process process =
                new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
