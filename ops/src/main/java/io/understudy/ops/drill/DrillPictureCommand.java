package io.understudy.ops.drill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The drill-picture command: a failover drill's stall log and moments as an SVG timeline. */
@Command(
        name = "drill-picture",
        description = {
            "Draw a failover drill as an SVG timeline: one row per client connection, a bar wherever it "
                    + "waited for a reply, and a line at each moment of the drill."
        },
        footer = {
            "",
            "The stall log comes from 'loadgen --stall-log FILE' run during the drill; the moments from",
            "the lab (ops/lab fail prints the crash's Unix time) and the backup's failover report.",
            "Example: drill-picture --stalls stalls.csv --mark crash=1796172448.244 \\",
            "           --mark decision=1796172448.801 --mark serving=1796172449.120 --out drill.svg",
            "Time is labelled in seconds from the first --mark.",
            "Exit codes: 0 written, 2 bad arguments or an unreadable or malformed stall log."
        })
public final class DrillPictureCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--stalls", required = true, paramLabel = "FILE", description = "The loadgen's stall log (CSV).")
    private Path stalls;

    @Option(
            names = "--mark",
            paramLabel = "LABEL=UNIX_S",
            description = "A moment of the drill, in Unix seconds (e.g. crash=1796172448.244); repeatable.")
    private List<String> marks = new ArrayList<>();

    @Option(
            names = "--connections",
            paramLabel = "N",
            defaultValue = "0",
            description = "Rows to draw (default: the highest connection in the stall log, plus one).")
    private int connections;

    @Option(
            names = "--title",
            paramLabel = "TEXT",
            defaultValue = "failover drill",
            description = "The picture's title (default: ${DEFAULT-VALUE}).")
    private String title;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the SVG.")
    private Path out;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    private boolean helpRequested;

    @Override
    public Integer call() throws IOException {
        if (connections < 0 || connections > 100_000) {
            throw new ParameterException(spec.commandLine(), "--connections must be 0..100000, was " + connections);
        }
        final List<DrillPicture.Mark> parsed = new ArrayList<>();
        for (final String mark : marks) {
            parsed.add(parseMark(mark));
        }
        final List<DrillPicture.Stall> read;
        try {
            read = DrillPicture.readStalls(stalls);
        } catch (final IOException | IllegalArgumentException ex) {
            throw new ParameterException(spec.commandLine(), "cannot read the stall log: " + ex.getMessage());
        }
        Files.writeString(out, DrillPicture.svg(read, parsed, connections, title), StandardCharsets.UTF_8);
        spec.commandLine()
                .getOut()
                .println("drill-picture: " + read.size() + " stalls, " + parsed.size() + " marks -> " + out);
        return 0;
    }

    private DrillPicture.Mark parseMark(final String mark) {
        final int eq = mark.indexOf('=');
        try {
            if (eq <= 0) {
                throw new NumberFormatException("no LABEL=");
            }
            final double seconds = Double.parseDouble(mark.substring(eq + 1));
            if (!Double.isFinite(seconds) || seconds <= 0) {
                throw new NumberFormatException("not a positive time");
            }
            return new DrillPicture.Mark(mark.substring(0, eq), seconds * 1000);
        } catch (final NumberFormatException ex) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--mark takes LABEL=UNIX_SECONDS (e.g. crash=1796172448.244), got '" + mark + "'");
        }
    }
}
