package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RatioChartTest {
    @TempDir
    Path dir;

    @Test
    void writesAPngWithABarPerSeriesAndScenario() throws Exception {
        Path file = dir.resolve("chart.png");
        RatioChart.write(file, "title", List.of("a", "b"), List.of(
                new RatioChart.Series("x / y", new double[] {1.2, Double.NaN}),
                new RatioChart.Series("x / z", new double[] {2.5, 0.8})));

        BufferedImage image = ImageIO.read(file.toFile());

        assertEquals(RatioChart.WIDTH, image.getWidth());
        assertEquals(RatioChart.HEIGHT, image.getHeight());
        int baseline = image.getHeight() - 115; // just above the x axis, inside the first bar
        assertNotEquals(0xffffff, image.getRGB(90, baseline) & 0xffffff, "the first bar is drawn");
    }

    @Test
    void scaleCoversTheLargestRatioAndAtLeastTwo() {
        assertEquals(2.0, RatioChart.scaleTop(List.of(new RatioChart.Series("s", new double[] {0.5}))));
        assertEquals(3.5, RatioChart.scaleTop(List.of(new RatioChart.Series("s", new double[] {3.0, Double.NaN}))));
    }
}
