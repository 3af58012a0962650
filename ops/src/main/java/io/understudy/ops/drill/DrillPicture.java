package io.understudy.ops.drill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A failover drill as a picture: one row per client connection, a bar wherever it waited for a reply (from the
 * loadgen's stall log), and vertical lines at the drill's moments (the crash, the decision, serving again). A
 * timeline shows at a glance what a table of percentiles hides: which connections stalled, for how long, and what
 * each stall waited for. Plain SVG, readable in any browser.
 */
public final class DrillPicture {
    /** One stall of one connection: a slow reply, or the wait before the connection failed. */
    public record Stall(int connection, double startUnixMs, double lengthMs, boolean stopped) {}

    /** A moment of the drill, e.g. "crash" at the lab's fail timestamp. */
    public record Mark(String label, double unixMs) {}

    private static final int LEFT = 80;
    private static final int RIGHT = 20;
    private static final int TOP = 70;
    private static final int BOTTOM = 60;
    private static final int PLOT_WIDTH = 960;
    private static final int PLOT_HEIGHT = 600;
    private static final long[] TICK_STEPS_MS = {50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000};
    private static final String[] MARK_COLOURS = {"#000000", "#1f5fbf", "#2e8b57", "#8e44ad", "#7f8c8d"};

    private DrillPicture() {}

    /**
     * Reads a stall log written by {@code loadgen --stall-log}.
     *
     * @throws IllegalArgumentException naming the file and line when a line is not a stall
     */
    public static List<Stall> readStalls(final Path file) throws IOException {
        final List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        if (lines.isEmpty() || !lines.get(0).equals("connection,start_unix_ms,stall_ms,kind")) {
            throw new IllegalArgumentException(file + ": not a stall log (its first line must be "
                    + "'connection,start_unix_ms,stall_ms,kind', as loadgen --stall-log writes)");
        }
        final List<Stall> stalls = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            final String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            final String[] fields = line.split(",", -1);
            try {
                if (fields.length != 4 || !(fields[3].equals("slow") || fields[3].equals("stopped"))) {
                    throw new NumberFormatException("4 fields, the last slow or stopped");
                }
                final int connection = Integer.parseInt(fields[0]);
                final double start = Double.parseDouble(fields[1]);
                final double length = Double.parseDouble(fields[2]);
                if (connection < 0 || length < 0 || !Double.isFinite(start) || !Double.isFinite(length)) {
                    throw new NumberFormatException("a connection and a length of 0 or more");
                }
                stalls.add(new Stall(connection, start, length, fields[3].equals("stopped")));
            } catch (final NumberFormatException ex) {
                throw new IllegalArgumentException(
                        file + " line " + (i + 1) + ": expected "
                                + "connection,start_unix_ms,stall_ms,kind (kind slow or stopped), got '" + line + "'",
                        ex);
            }
        }
        return stalls;
    }

    /**
     * The picture: {@code connections} rows (at least one more than the highest connection in {@code stalls}); time
     * runs from a second before the first mark (or from the first stall, without marks) to past the last stall or
     * mark, labelled in seconds from the first mark. Stalls that ended before the picture starts are counted in a
     * note, one that began before it is cut at its left edge.
     */
    public static String svg(
            final List<Stall> stalls, final List<Mark> marks, final int connections, final String title) {
        int rows = Math.max(1, connections);
        double first = Double.MAX_VALUE;
        double last = -Double.MAX_VALUE;
        for (final Stall stall : stalls) {
            rows = Math.max(rows, stall.connection() + 1);
            first = Math.min(first, stall.startUnixMs());
            last = Math.max(last, stall.startUnixMs() + stall.lengthMs());
        }
        for (final Mark mark : marks) {
            first = Math.min(first, mark.unixMs());
            last = Math.max(last, mark.unixMs());
        }
        final double origin = !marks.isEmpty() ? marks.get(0).unixMs() : stalls.isEmpty() ? 0 : first;
        final double from = !marks.isEmpty() ? origin - 1000 : stalls.isEmpty() ? 0 : first;
        final double to = Math.max(stalls.isEmpty() && marks.isEmpty() ? 1000 : last + 500, from + 2000);
        final double rowHeight = Math.max(1.0, Math.min(14.0, (double) PLOT_HEIGHT / rows));
        final double plotHeight = rowHeight * rows;
        final double scale = PLOT_WIDTH / (to - from);
        final int width = LEFT + PLOT_WIDTH + RIGHT;
        final int height = (int) Math.ceil(TOP + plotHeight + BOTTOM);

        final StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n",
                width,
                height,
                width,
                height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", width, height));
        svg.append(String.format(
                Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\">%s</text>%n", LEFT, escape(title)));
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%.1f\" fill=\"#f7f7f7\" " + "stroke=\"#cccccc\"/>%n",
                LEFT,
                TOP,
                PLOT_WIDTH,
                plotHeight));
        appendTicks(svg, from, to, origin, scale, plotHeight);
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"14\" y=\"%.1f\" transform=\"rotate(-90 14 %.1f)\" "
                        + "text-anchor=\"middle\">connection (%d)</text>%n",
                TOP + plotHeight / 2,
                TOP + plotHeight / 2,
                rows));
        int before = 0;
        for (final Stall stall : stalls) {
            final double end = stall.startUnixMs() + stall.lengthMs();
            if (end < from) {
                before++;
                continue;
            }
            final double start = Math.max(from, stall.startUnixMs());
            final double x = LEFT + (start - from) * scale;
            final double w = Math.max(1.0, (end - start) * scale);
            final double y = TOP + stall.connection() * rowHeight;
            svg.append(String.format(
                    Locale.ROOT,
                    "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                            + "height=\"%.1f\" fill=\"%s\"><title>connection %d: %s %.0f ms from %+.3f s</title></rect>%n",
                    stall.stopped() ? "stopped" : "slow",
                    x,
                    y,
                    w,
                    Math.max(1.0, rowHeight > 3 ? rowHeight - 1 : rowHeight),
                    stall.stopped() ? "#c0392b" : "#e8a33d",
                    stall.connection(),
                    stall.stopped() ? "waited, then failed, after" : "reply took",
                    stall.lengthMs(),
                    (stall.startUnixMs() - origin) / 1000));
        }
        for (int i = 0; i < marks.size(); i++) {
            final Mark mark = marks.get(i);
            final double x = LEFT + (mark.unixMs() - from) * scale;
            final String colour = MARK_COLOURS[i % MARK_COLOURS.length];
            svg.append(String.format(
                    Locale.ROOT,
                    "<line class=\"mark\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" "
                            + "stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"4 2\"/>%n",
                    x,
                    TOP - 4,
                    x,
                    TOP + plotHeight,
                    colour));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" fill=\"%s\">%s %+.3f s</text>%n",
                    x + 3,
                    34 + 11 * (i % 3),
                    colour,
                    escape(mark.label()),
                    (mark.unixMs() - origin) / 1000));
        }
        final double legendY = TOP + plotHeight + 44;
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%.1f\" width=\"12\" height=\"10\" fill=\"#e8a33d\"/>"
                        + "<text x=\"%d\" y=\"%.1f\">a reply that took 50 ms or more</text>%n",
                LEFT,
                legendY - 9,
                LEFT + 16,
                legendY));
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%.1f\" width=\"12\" height=\"10\" fill=\"#c0392b\"/>"
                        + "<text x=\"%d\" y=\"%.1f\">waited, then the connection failed</text>%n",
                LEFT + 260,
                legendY - 9,
                LEFT + 276,
                legendY));
        if (before > 0) {
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%.1f\">%d earlier stall(s), more than a "
                            + "second before %s, not shown</text>%n",
                    LEFT + 540,
                    legendY,
                    before,
                    escape(marks.get(0).label())));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void appendTicks(
            final StringBuilder svg,
            final double from,
            final double to,
            final double origin,
            final double scale,
            final double plotHeight) {
        long step = TICK_STEPS_MS[TICK_STEPS_MS.length - 1];
        for (final long candidate : TICK_STEPS_MS) {
            if ((to - from) / candidate <= 12) {
                step = candidate;
                break;
            }
        }
        final double firstTick = origin + Math.ceil((from - origin) / step) * step;
        for (double t = firstTick; t <= to; t += step) {
            final double x = LEFT + (t - from) * scale;
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" " + "stroke=\"#dddddd\"/>%n",
                    x,
                    TOP,
                    x,
                    TOP + plotHeight));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%+.1f s</text>%n",
                    x,
                    TOP + plotHeight + 16,
                    (t - origin) / 1000));
        }
    }

    private static String escape(final String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
