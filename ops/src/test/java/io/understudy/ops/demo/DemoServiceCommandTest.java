package io.understudy.ops.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.ops.OpsMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The top-level command line and the demo-service arguments: help, and one-line errors with exit code 2. */
@Timeout(10)
final class DemoServiceCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldListBothCommandsWhenTopLevelHelpIsAsked() {
        assertThat(execute("--help")).isZero();
        assertThat(out.toString()).contains("demo-service", "loadgen");
    }

    @Test
    void shouldDocumentOptionsWhenDemoServiceHelpIsAsked() {
        assertThat(execute("demo-service", "--help")).isZero();
        assertThat(out.toString()).contains("--port=N", "--bind=ADDR", "default: 127.0.0.1", "RESET");
    }

    @Test
    void shouldExitWithUsageErrorWhenNoCommandIsGiven() {
        assertThat(execute()).isEqualTo(2);
        assertOneLineError("Missing command");
    }

    @Test
    void shouldExitWithUsageErrorWhenCommandIsUnknown() {
        assertThat(execute("serve")).isEqualTo(2);
        assertOneLineError("'serve'");
    }

    @Test
    void shouldExitWithUsageErrorWhenPortIsMissing() {
        assertThat(execute("demo-service")).isEqualTo(2);
        assertOneLineError("--port");
    }

    @Test
    void shouldExitWithUsageErrorWhenPortIsOutOfRange() {
        assertThat(execute("demo-service", "--port", "65536")).isEqualTo(2);
        assertOneLineError("--port must be between 0 and 65535, was 65536");
    }

    @Test
    void shouldExitWithUsageErrorWhenPortIsNotANumber() {
        assertThat(execute("demo-service", "--port", "http")).isEqualTo(2);
        assertOneLineError("'http' is not an int");
    }

    private int execute(final String... args) {
        return OpsMain.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private void assertOneLineError(final String expected) {
        assertThat(err.toString()).hasLineCount(1).contains(expected);
        assertThat(out.toString()).isEmpty();
    }
}
