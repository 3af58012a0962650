package io.understudy.ops.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.understudy.ops.OpsMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bad loadgen arguments get one clear error line and exit code 2, before any connection is made. */
@Timeout(10)
final class LoadgenCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldDocumentEveryOptionWhenHelpIsAsked() {
        assertThat(execute("loadgen", "--help")).isZero();
        assertThat(out.toString())
                .contains(
                        "--host=H",
                        "--port=P",
                        "--connections=N",
                        "--interval-ms=MS",
                        "--duration-s=S",
                        "--protocol=line|resp|http|memcached|postgres",
                        "--key-prefix=P",
                        "--connect-timeout-ms=MS",
                        "--reply-timeout-ms=MS",
                        "--json-only");
        assertThat(out.toString())
                .contains("http  an HTTP/1.1 keep-alive server: 'GET /<key>'", "http status other than 2xx");
        assertThat(out.toString())
                .contains(
                        "memcached  memcached's text protocol: once on connect 'set <key> 0 0 1'",
                        "ERROR, CLIENT_ERROR, SERVER_ERROR or NOT_FOUND");
        assertThat(out.toString())
                .contains(
                        "postgres   PostgreSQL through its JDBC driver",
                        "PGDATABASE (default the user) and PGPASSWORD",
                        "statement error (SQLSTATE and message)");
    }

    @Test
    void shouldExitWithUsageErrorWhenHostAndPortAreMissing() {
        assertThat(execute("loadgen")).isEqualTo(2);
        assertOneLineError("Missing required options: '--host=H', '--port=P'");
    }

    @Test
    void shouldExitWithUsageErrorWhenProtocolIsUnknown() {
        assertThat(execute("loadgen", "--host", "localhost", "--port", "1", "--protocol", "smtp"))
                .isEqualTo(2);
        assertOneLineError("expected line, resp, http, memcached or postgres but was 'smtp'");
    }

    @Test
    void shouldExitWithUsageErrorWhenNumbersAreOutOfRange() {
        assertThat(execute("loadgen", "--host", "h", "--port", "0")).isEqualTo(2);
        assertOneLineError("--port must be between 1 and 65535, was 0");
        assertThat(execute("loadgen", "--host", "h", "--port", "1", "--connections", "0"))
                .isEqualTo(2);
        assertThat(execute("loadgen", "--host", "h", "--port", "1", "--interval-ms", "-1"))
                .isEqualTo(2);
        assertThat(execute("loadgen", "--host", "h", "--port", "1", "--duration-s", "0"))
                .isEqualTo(2);
        assertThat(execute("loadgen", "--host", "h", "--port", "1", "--reply-timeout-ms", "0"))
                .isEqualTo(2);
        assertThat(execute("loadgen", "--host", "h", "--port", "1", "--connect-timeout-ms", "x"))
                .isEqualTo(2);
        assertThat(err.toString()).hasLineCount(6);
    }

    @Test
    void shouldExitWithUsageErrorWhenKeyPrefixHasSpace() {
        assertThat(execute("loadgen", "--host", "h", "--port", "1", "--key-prefix", "a b"))
                .isEqualTo(2);
        assertOneLineError("--key-prefix must be printable ASCII without spaces");
    }

    @Test
    void shouldExitWithUsageErrorWhenKeyPrefixMakesMemcachedKeysTooLong() {
        // 249 bytes and connection 10's two digits: one more than memcached takes.
        final String prefix = "k".repeat(249);
        assertThat(execute(
                        "loadgen",
                        "--host",
                        "h",
                        "--port",
                        "1",
                        "--protocol",
                        "memcached",
                        "--key-prefix",
                        prefix,
                        "--connections",
                        "11"))
                .isEqualTo(2);
        assertOneLineError("--key-prefix too long for memcached: keys are at most 250 bytes, the last would be 251");
    }

    private int execute(final String... args) {
        return OpsMain.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private void assertOneLineError(final String expected) {
        assertThat(err.toString()).hasLineCount(1).contains(expected);
        assertThat(out.toString()).isEmpty();
    }
}
