package boucle.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A grouped bar chart of throughput ratios per scenario, drawn with Java2D (headless) into a PNG: one
 * group per scenario, one bar per series, a dashed line at 1.0 (parity with the anchor) and the
 * value written over each bar. No plotting library: the chart is small enough to draw by hand.
 */
final class RatioChart {
    static final int WIDTH = 1000;
    static final int HEIGHT = 560;
    private static final Color[] COLORS = {new Color(0x2b6cb0), new Color(0xdd6b20), new Color(0x38a169)};
    private static final int LEFT = 70;
    private static final int RIGHT = 30;
    private static final int TOP = 70;
    private static final int BOTTOM = 110;

    /** One series of bars: a name for the legend and one ratio per scenario (NaN: no bar). */
    record Series(String name, double[] ratios) {
    }

    private RatioChart() {
    }

    static void write(Path file, String title, List<String> scenarios, List<Series> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            double top = scaleTop(series);
            drawFrame(g, title, top);
            drawBars(g, scenarios, series, top);
            drawLegend(g, series);
        } finally {
            g.dispose();
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(image, "png", file.toFile());
    }

    /** The y-axis top: the largest ratio, at least 2, rounded up to a half. */
    static double scaleTop(List<Series> series) {
        double max = 2;
        for (Series s : series) {
            for (double ratio : s.ratios()) {
                if (!Double.isNaN(ratio)) {
                    max = Math.max(max, ratio * 1.1);
                }
            }
        }
        return Math.ceil(max * 2) / 2;
    }

    private static int y(double value, double top) {
        return TOP + (int) Math.round((HEIGHT - TOP - BOTTOM) * (1 - value / top));
    }

    private static void drawFrame(Graphics2D g, String title, double top) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString(title, LEFT, 35);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double tick = 0; tick <= top + 1e-9; tick += 0.5) {
            int y = y(tick, top);
            g.setColor(new Color(0xe2e8f0));
            g.drawLine(LEFT, y, WIDTH - RIGHT, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%.1fx", tick), LEFT - 40, y + 4);
        }
        g.setColor(Color.RED);
        g.setStroke(new BasicStroke(2, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {8, 6}, 0));
        g.drawLine(LEFT, y(1, top), WIDTH - RIGHT, y(1, top));
        g.setStroke(new BasicStroke(1));
        g.setColor(Color.BLACK);
        g.drawLine(LEFT, y(0, top), WIDTH - RIGHT, y(0, top));
    }

    private static void drawBars(Graphics2D g, List<String> scenarios, List<Series> series, double top) {
        int groupWidth = (WIDTH - LEFT - RIGHT) / Math.max(1, scenarios.size());
        int barWidth = Math.max(8, (groupWidth - 30) / Math.max(1, series.size()));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i < scenarios.size(); i++) {
            int groupLeft = LEFT + i * groupWidth + 15;
            for (int s = 0; s < series.size(); s++) {
                double ratio = series.get(s).ratios()[i];
                if (Double.isNaN(ratio)) {
                    continue;
                }
                int x = groupLeft + s * barWidth;
                int y = y(Math.min(ratio, top), top);
                g.setColor(COLORS[s % COLORS.length]);
                g.fillRect(x, y, barWidth - 4, y(0, top) - y);
                g.setColor(Color.BLACK);
                g.drawString(String.format("%.2f", ratio), x + 2, y - 4);
            }
            g.setColor(Color.BLACK);
            drawWrapped(g, scenarios.get(i), groupLeft, y(0, top) + 18, groupWidth - 20);
        }
    }

    private static void drawWrapped(Graphics2D g, String text, int x, int y, int width) {
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!line.isEmpty() && g.getFontMetrics().stringWidth(line + " " + word) > width) {
                g.drawString(line.toString(), x, y);
                y += 15;
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        g.drawString(line.toString(), x, y);
    }

    private static void drawLegend(Graphics2D g, List<Series> series) {
        int x = LEFT;
        int y = HEIGHT - 30;
        for (int s = 0; s < series.size(); s++) {
            g.setColor(COLORS[s % COLORS.length]);
            g.fillRect(x, y - 10, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(series.get(s).name(), x + 20, y + 2);
            x += 40 + g.getFontMetrics().stringWidth(series.get(s).name());
        }
        g.setColor(Color.RED);
        g.drawString("- - - parity (1.0x)", x, y + 2);
    }
}
