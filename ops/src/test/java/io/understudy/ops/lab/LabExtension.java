package io.understudy.ops.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Brings the lab up before a test class and down after it (checking nothing is left), and prints the lab's status
 * and node logs when a test fails.
 */
final class LabExtension implements BeforeAllCallback, AfterAllCallback, TestWatcher {
    @Override
    public void beforeAll(final ExtensionContext context) {
        Lab.lab(java.time.Duration.ofSeconds(60), "down");
        Lab.up();
    }

    @Override
    public void afterAll(final ExtensionContext context) {
        Lab.opsJarEnv();
        Lab.down();
        assertThat(Lab.leftoverNamespaces())
                .as("namespaces left after ops/lab down")
                .isEmpty();
    }

    /** Where a failed lab test's diagnostics are kept too, outside the clone (a CI run's clone is gone after it). */
    static final java.nio.file.Path KEPT = java.nio.file.Path.of("/var/tmp/understudy-lab-failures");

    private static final int KEEP = 30;

    @Override
    public void testFailed(final ExtensionContext context, final Throwable cause) {
        final String diagnostics = "===== lab diagnostics for "
                + context.getRequiredTestClass().getSimpleName() + "."
                + context.getDisplayName() + " at " + java.time.Instant.now() + "\n" + cause + "\n" + Lab.diagnostics();
        System.out.println(diagnostics);
        keep(context.getRequiredTestClass().getSimpleName(), diagnostics);
    }

    /** Writes the diagnostics to KEPT (the newest KEEP files stay); a failure to write is printed, never thrown. */
    private static void keep(final String test, final String diagnostics) {
        try {
            java.nio.file.Files.createDirectories(KEPT);
            final java.nio.file.Path file =
                    KEPT.resolve(java.time.Instant.now().toString().replace(':', '-') + "-" + test + ".txt");
            java.nio.file.Files.writeString(file, diagnostics);
            System.out.println("lab diagnostics kept in " + file);
            try (var files = java.nio.file.Files.list(KEPT)) {
                final java.util.List<java.nio.file.Path> all = files.sorted().toList();
                for (int i = 0; i < all.size() - KEEP; i++) {
                    java.nio.file.Files.deleteIfExists(all.get(i));
                }
            }
        } catch (final java.io.IOException ex) {
            System.out.println("lab diagnostics not kept in " + KEPT + ": " + ex);
        }
    }
}
