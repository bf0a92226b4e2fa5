import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws a grouped horizontal bar chart as PNG from a tab-separated file of {@code category, series, value} rows, in
 * the order the rows come: {@code java Chart.java <title> <unit> <in.tsv> <out.png>}. The performance report's charts
 * (report.sh) are drawn with it, with the JDK alone (headless Java2D), so the report needs no charting package.
 */
public final class Chart {

    private static final Color[] SERIES = {new Color(0x1f4e9c), new Color(0x7aa6e0), new Color(0xd9822b), new Color(0x5b8c3a)};
    private static final int WIDTH = 1000, LEFT = 290, RIGHT = 90, TOP = 70, BAR = 18, GAP = 14;

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        String title = args[0], unit = args[1];
        Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
        List<String> series = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[2]))) {
            String[] cells = line.split("\t");
            if (cells.length < 3 || cells[2].isBlank()) {
                continue;
            }
            rows.computeIfAbsent(cells[0], c -> new LinkedHashMap<>()).put(cells[1], Double.parseDouble(cells[2]));
            if (!series.contains(cells[1])) {
                series.add(cells[1]);
            }
        }
        double max = rows.values().stream().flatMap(m -> m.values().stream()).mapToDouble(Double::doubleValue).max().orElse(1);
        int groupHeight = series.size() * BAR + GAP;
        int height = TOP + rows.size() * groupHeight + 40;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, 16, 26);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int legendX = 16;
        for (int s = 0; s < series.size(); s++) {
            g.setColor(SERIES[s % SERIES.length]);
            g.fillRect(legendX, 40, 12, 12);
            g.setColor(Color.DARK_GRAY);
            g.drawString(series.get(s), legendX + 16, 51);
            legendX += 30 + g.getFontMetrics().stringWidth(series.get(s));
        }
        int plot = WIDTH - LEFT - RIGHT;
        g.setColor(new Color(0xdddddd));
        g.setStroke(new BasicStroke(1));
        for (int tick = 0; tick <= 4; tick++) {
            int x = LEFT + plot * tick / 4;
            g.drawLine(x, TOP - 4, x, height - 36);
            g.setColor(Color.GRAY);
            g.drawString(format(max * tick / 4), x - 12, height - 20);
            g.setColor(new Color(0xdddddd));
        }
        int y = TOP;
        for (Map.Entry<String, Map<String, Double>> row : rows.entrySet()) {
            g.setColor(Color.BLACK);
            g.drawString(row.getKey(), 16, y + groupHeight / 2);
            for (int s = 0; s < series.size(); s++) {
                Double value = row.getValue().get(series.get(s));
                if (value != null) {
                    int length = (int) Math.round(plot * value / max);
                    g.setColor(SERIES[s % SERIES.length]);
                    g.fillRect(LEFT, y + s * BAR, Math.max(length, 1), BAR - 3);
                    g.setColor(Color.DARK_GRAY);
                    g.drawString(format(value) + " " + unit, LEFT + length + 4, y + s * BAR + BAR - 6);
                }
            }
            y += groupHeight;
        }
        g.dispose();
        ImageIO.write(image, "png", Path.of(args[3]).toFile());
    }

    private static String format(double value) {
        if (value == 0) {
            return "0";
        }
        if (value >= 10_000) {
            return String.format(Locale.ROOT, "%.1fk", value / 1000);
        }
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }
}
