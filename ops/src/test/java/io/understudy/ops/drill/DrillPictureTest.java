package io.understudy.ops.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.understudy.ops.OpsMain;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The drill's picture: the stall log read back, and an SVG with a bar per stall and a line per moment. */
final class DrillPictureTest {
    private static final double CRASH_MS = 1_796_172_448_000.0;

    @TempDir
    Path dir;

    @Test
    void shouldDrawABarPerStallWhereAndAsLongAsItWasAndALinePerMoment() throws Exception {
        final List<DrillPicture.Stall> stalls = List.of(
                new DrillPicture.Stall(5, CRASH_MS - 6000, 200, false),
                new DrillPicture.Stall(0, CRASH_MS - 50, 1000, false),
                new DrillPicture.Stall(3, CRASH_MS + 100, 2000, true));
        final List<DrillPicture.Mark> marks = List.of(
                new DrillPicture.Mark("crash", CRASH_MS), new DrillPicture.Mark("serving <again>", CRASH_MS + 1000));

        final Document svg = parse(DrillPicture.svg(stalls, marks, 20, "host crash & 20 connections"));

        final List<Element> bars = elements(svg, "rect").stream()
                .filter(r -> r.hasAttribute("class"))
                .toList();
        assertThat(bars).extracting(r -> r.getAttribute("class")).containsExactly("slow", "stopped");
        // From a second before the crash to half a second past the last stall's end: 3.6 s over 960 px.
        final double pxPerMs = 960.0 / 3600;
        assertThat(Double.parseDouble(bars.get(0).getAttribute("x")))
                .isCloseTo(80 + 950 * pxPerMs, org.assertj.core.data.Offset.offset(0.2));
        assertThat(Double.parseDouble(bars.get(0).getAttribute("width")))
                .isCloseTo(1000 * pxPerMs, org.assertj.core.data.Offset.offset(0.2));
        assertThat(Double.parseDouble(bars.get(1).getAttribute("y")))
                .as("row 3 of 20: 14 px rows below the 70 px header")
                .isEqualTo(70 + 3 * 14.0);
        assertThat(bars.get(1).getTextContent()).contains("connection 3", "failed", "2000 ms", "+0.100 s");
        final List<Element> lines = elements(svg, "line").stream()
                .filter(l -> "mark".equals(l.getAttribute("class")))
                .toList();
        assertThat(lines).hasSize(2);
        assertThat(Double.parseDouble(lines.get(1).getAttribute("x1"))
                        - Double.parseDouble(lines.get(0).getAttribute("x1")))
                .isCloseTo(1000 * pxPerMs, org.assertj.core.data.Offset.offset(0.2));
        assertThat(svg.getDocumentElement().getTextContent())
                .contains(
                        "host crash & 20 connections",
                        "crash +0.000 s",
                        "serving <again> +1.000 s",
                        "+2.0 s",
                        "1 earlier stall(s), more than a second before crash, not shown");
    }

    @Test
    void shouldReadTheStallLogTheLoadgenWritesAndRefuseAnythingElseByLine() throws Exception {
        final Path log = dir.resolve("stalls.csv");
        Files.writeString(
                log,
                "connection,start_unix_ms,stall_ms,kind\n7,1796172448100.500,812.250,slow\n"
                        + "2,1796172448000.000,3000.000,stopped\n");
        assertThat(DrillPicture.readStalls(log))
                .containsExactly(
                        new DrillPicture.Stall(7, 1796172448100.5, 812.25, false),
                        new DrillPicture.Stall(2, 1796172448000.0, 3000.0, true));

        Files.writeString(log, "connection,start_unix_ms,stall_ms,kind\n7,1796172448100.5,-3,slow\n");
        assertThatThrownBy(() -> DrillPicture.readStalls(log))
                .hasMessageContaining("line 2")
                .hasMessageContaining("7,1796172448100.5,-3,slow");
        Files.writeString(log, "hello\n");
        assertThatThrownBy(() -> DrillPicture.readStalls(log)).hasMessageContaining("not a stall log");
    }

    @Test
    void shouldWriteThePictureFromTheCommandLineAndExitTwoOnBadInput() throws Exception {
        final Path log = dir.resolve("stalls.csv");
        Files.writeString(log, "connection,start_unix_ms,stall_ms,kind\n1,1796172448100.000,900.000,slow\n");
        final Path out = dir.resolve("drill.svg");
        final StringWriter err = new StringWriter();

        assertThat(OpsMain.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err),
                        "drill-picture",
                        "--stalls",
                        log.toString(),
                        "--mark",
                        "crash=1796172448.000",
                        "--out",
                        out.toString()))
                .isZero();
        assertThat(elements(parse(Files.readString(out)), "rect").stream()
                        .filter(r -> "slow".equals(r.getAttribute("class"))))
                .hasSize(1);

        assertThat(OpsMain.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err),
                        "drill-picture",
                        "--stalls",
                        log.toString(),
                        "--mark",
                        "crash",
                        "--out",
                        out.toString()))
                .isEqualTo(2);
        assertThat(OpsMain.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err),
                        "drill-picture",
                        "--stalls",
                        dir.resolve("missing.csv").toString(),
                        "--out",
                        out.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--mark takes LABEL=UNIX_SECONDS", "cannot read the stall log");
    }

    private static Document parse(final String svg) throws Exception {
        return DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> elements(final Document document, final String tag) {
        final NodeList nodes = document.getElementsByTagName(tag);
        return java.util.stream.IntStream.range(0, nodes.getLength())
                .mapToObj(i -> (Element) nodes.item(i))
                .toList();
    }
}
