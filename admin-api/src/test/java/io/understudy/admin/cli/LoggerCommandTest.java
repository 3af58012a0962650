package io.understudy.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.util.JarLocation;
import io.understudy.admin.UnderstudyApplication;
import io.understudy.admin.security.PairSecret;
import io.understudy.admin.security.ReadLogKey;
import io.understudy.logger.EventLog;
import io.understudy.logger.EventLogConfig;
import io.understudy.logger.LogRecord;
import io.understudy.logger.LogShipper;
import io.understudy.logger.PrimaryRead;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code understudy logger}, the logger alone for a third host: a primary ships to it and its directory then holds a
 * Chronicle event log with the records; bad arguments are refused with a message naming them.
 */
class LoggerCommandTest {
    @TempDir
    Path dir;

    @Test
    void shouldAppendWhatAPrimaryShipsToItsDirectoryUntilStopped() throws Exception {
        final int port = io.understudy.admin.TestPorts.free();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final CountDownLatch stop = new CountDownLatch(1);
        final Path secret = secretFile();
        final CompletableFuture<Boolean> ran = CompletableFuture.supplyAsync(() -> run(
                new LoggerCommand(new PrintStream(out, true, StandardCharsets.UTF_8), stop),
                "logger",
                "--listen",
                "127.0.0.1:" + port,
                "--dir",
                dir.resolve("log").toString(),
                "--secret-file",
                secret.toString()));
        try (LogShipper shipper = LogShipper.start(
                "primary", new InetSocketAddress("127.0.0.1", port), ReadLogKey.load(secret), 1 << 20, 50, () -> {})) {
            final long seq = shipper.nextSeq();
            shipper.ship(new PrimaryRead(42, 1, seq, 0, "hello".getBytes(StandardCharsets.US_ASCII)));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (shipper.ackedSeq() < seq && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(shipper.ackedSeq()).as("the logger acked the record").isEqualTo(seq);
        }
        stop.countDown();
        assertThat(ran.get(20, TimeUnit.SECONDS)).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("logger: listening on /127.0.0.1:" + port)
                .contains("must prove the read-log key");

        try (EventLog log = EventLog.open(EventLogConfig.of(dir.resolve("log")))) {
            final List<LogRecord> records = log.replay(42);
            assertThat(records).hasSize(1);
            assertThat(((PrimaryRead) records.get(0)).bytes())
                    .asString(StandardCharsets.US_ASCII)
                    .isEqualTo("hello");
        }
    }

    @Test
    void shouldNameTheProblemWhenListenIsNotHostPort() {
        assertThatThrownBy(() -> LoggerCommand.parseAddress("198.18.0.4"))
                .isInstanceOf(UsageException.class)
                .hasMessage("logger: --listen must be HOST:PORT, got '198.18.0.4'");
        assertThatThrownBy(() -> LoggerCommand.parseAddress("198.18.0.4:http"))
                .isInstanceOf(UsageException.class)
                .hasMessage("logger: --listen port must be a number, got '198.18.0.4:http'");
        assertThatThrownBy(() -> LoggerCommand.parseAddress("198.18.0.4:70000"))
                .isInstanceOf(UsageException.class)
                .hasMessage("logger: --listen port must be 1-65535, got 70000");
    }

    @Test
    void shouldRefuseToStartWhenNeitherSecretFileNorInsecure() throws Exception {
        assertThatThrownBy(() -> LoggerCommand.loadAuth(null, false))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--secret-file FILE is required");
        assertThatThrownBy(() -> LoggerCommand.loadAuth(secretFile().toString(), true))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> LoggerCommand.loadAuth(dir.resolve("missing").toString(), null))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("missing")
                .hasMessageContaining("does not exist");
        assertThat(LoggerCommand.loadAuth(null, true).isSecure()).isFalse();
        assertThat(LoggerCommand.loadAuth(secretFile().toString(), false).isSecure())
                .isTrue();
    }

    private Path secretFile() throws Exception {
        final Path file = dir.resolve("pair.secret");
        Files.writeString(file, PairSecret.generate(), StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** Runs the command through Dropwizard's CLI as {@code understudy ARGS} would. */
    private static boolean run(final LoggerCommand command, final String... args) {
        final Bootstrap<?> bootstrap = new Bootstrap<>(new UnderstudyApplication());
        bootstrap.addCommand(command);
        final Cli cli = new Cli(new JarLocation(LoggerCommandTest.class), bootstrap, System.out, System.err);
        return cli.run(args).isEmpty();
    }
}
