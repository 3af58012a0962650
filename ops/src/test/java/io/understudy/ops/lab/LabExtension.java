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
final class LabExtension implements BeforeAllCallback, AfterAllCallback, TestWatcher
{
    @Override
    public void beforeAll(final ExtensionContext context)
    {
        Lab.lab(java.time.Duration.ofSeconds(60), "down");
        Lab.up();
    }

    @Override
    public void afterAll(final ExtensionContext context)
    {
        Lab.down();
        assertThat(Lab.leftoverNamespaces()).as("namespaces left after ops/lab down").isEmpty();
    }

    @Override
    public void testFailed(final ExtensionContext context, final Throwable cause)
    {
        System.out.println("===== lab diagnostics for " + context.getDisplayName() + "\n" + Lab.diagnostics());
    }
}
