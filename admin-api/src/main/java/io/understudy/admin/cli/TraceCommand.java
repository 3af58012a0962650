package io.understudy.admin.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.core.setup.Bootstrap;
import io.understudy.backup.capture.PcapTrace;
import io.understudy.backup.capture.TraceResult;
import io.understudy.backup.track.ConnectionSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code understudy trace --service-port P FILE}: reads a capture through the backup's own decoder and tracker and
 * prints one JSON line per TCP connection with its state at the end of the file.
 */
public final class TraceCommand extends OperatorCommand {
    private final PrintStream out;
    private final PrintStream err;

    public TraceCommand() {
        this(System.out, System.err);
    }

    TraceCommand(final PrintStream out, final PrintStream err) {
        super(
                "trace",
                "Print the TCP state of every connection in a pcap or pcapng file, one JSON line each "
                        + "(what the backup's tap would know at the end of the capture).");
        this.out = out;
        this.err = err;
    }

    @Override
    public void configure(final Subparser subparser) {
        subparser
                .addArgument("--service-port")
                .dest("servicePorts")
                .type(Integer.class)
                .action(Arguments.append())
                .required(true)
                .metavar("P")
                .help("the service's TCP port: the side on it is the server (repeat for several ports)");
        subparser
                .addArgument("--verify-checksums")
                .dest("verifyChecksums")
                .action(Arguments.storeTrue())
                .help("skip frames whose IPv4 or TCP checksum is wrong, as the backup's live tap does (by default they "
                        + "are tracked and counted, as Wireshark does: captures taken on the sending host often have "
                        + "checksums left to the network card)");
        subparser
                .addArgument("--ignore-checksums")
                .dest("ignoreChecksums")
                .action(Arguments.storeTrue())
                .help("the default now (frames with a wrong checksum are tracked and counted); kept for scripts");
        subparser
                .addArgument("file")
                .metavar("FILE")
                .help("a pcap or pcapng capture (tcpdump -w, tshark -w, Wireshark)");
        subparser.epilog("Exit codes: 0 done, 2 unreadable file or bad arguments. Frames skipped (not TCP, bad "
                + "checksum, truncated, ...) are counted on stderr.");
    }

    @Override
    public void run(final Bootstrap<?> bootstrap, final Namespace namespace) throws Exception {
        final List<Integer> ports = namespace.getList("servicePorts");
        final Set<Integer> servicePorts = new LinkedHashSet<>();
        for (final Integer port : ports) {
            if (port < 1 || port > 65535) {
                throw new UsageException("trace: --service-port must be 1-65535, got " + port, null);
            }
            servicePorts.add(port);
        }
        final Path file = Path.of(namespace.getString("file"));
        final TraceResult result;
        try {
            if (namespace.getBoolean("verifyChecksums") && namespace.getBoolean("ignoreChecksums")) {
                throw new UsageException(
                        "trace: --verify-checksums and --ignore-checksums contradict each other", null);
            }
            result = PcapTrace.read(file, servicePorts, namespace.getBoolean("verifyChecksums"));
        } catch (final IOException ex) {
            throw new UsageException("trace: " + ex.getMessage(), ex);
        }
        print(result);
    }

    private void print(final TraceResult result) throws JsonProcessingException {
        final ObjectMapper json = new ObjectMapper();
        for (final ConnectionSummary connection : result.connections()) {
            out.println(json.writeValueAsString(connection.fields()));
        }
        out.flush();
        final String skipped =
                result.skipped().entrySet().stream().map(Map.Entry::toString).collect(Collectors.joining(" "));
        err.println("trace: " + result.frames() + " frames, "
                + result.connections().size() + " connections" + (skipped.isEmpty() ? "" : ", skipped " + skipped)
                + (result.wrongChecksums() == 0
                        ? ""
                        : ", " + result.wrongChecksums()
                                + " frames tracked with a wrong checksum (taken on a host that leaves "
                                + "checksums to its network card? --verify-checksums skips them)"));
        if (result.skipped().containsKey("BAD_TCP_CHECKSUM")
                && result.connections().isEmpty()) {
            err.println("trace: every TCP frame had a wrong checksum; if the capture was taken on the sending host "
                    + "(checksum offload), run again without --verify-checksums");
        }
    }
}
