package org.ccespark.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.ccespark.eval.ClusteringMetrics;
import org.ccespark.eval.ContingencyTable;
import org.junit.jupiter.api.Test;

/** Charts are real PNGs of the documented size that ImageIO reads back, with their data drawn. */
class ChartsTest {
  private static BufferedImage readBack(BufferedImage image) throws IOException {
    byte[] png = Charts.png(image);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
    BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
    assertNotNull(back);
    assertEquals(Charts.WIDTH, back.getWidth());
    assertEquals(Charts.HEIGHT, back.getHeight());
    return back;
  }

  private static Set<Integer> colours(BufferedImage image) {
    Set<Integer> out = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        out.add(image.getRGB(x, y) & 0xffffff);
      }
    }
    return out;
  }

  @Test
  void lineChartDrawsEverySeriesInItsColour() throws IOException {
    BufferedImage img = readBack(Charts.line("t", "x", "y", List.of(
        new Charts.Series("a", new double[] {0, 1, 2}, new double[] {0, 1, 4}),
        new Charts.Series("b", new double[] {0, 1, 2}, new double[] {4, 2, Double.NaN}, true)),
        Double.NaN, Double.NaN));
    Set<Integer> c = colours(img);
    assertTrue(c.contains(0x1f77b4), "first series colour");
    assertTrue(c.contains(0xff7f0e), "second series colour");
  }

  @Test
  void aLongTitleStaysInsideTheImage() throws IOException {
    String title = "Figure 2: test accuracy vs label noise, trained on fashion-mnist, tested on"
        + " fashion-mnist-test";
    BufferedImage img = readBack(Charts.line(title, "x", "y", List.of(
        new Charts.Series("a", new double[] {0, 1}, new double[] {0, 1})), Double.NaN, Double.NaN));
    int rightmostInk = -1;
    for (int y = 0; y < 40; y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xffffff) != 0xffffff) {
          rightmostInk = Math.max(rightmostInk, x);
        }
      }
    }
    assertTrue(rightmostInk > img.getWidth() / 2, "the title is drawn: " + rightmostInk);
    assertTrue(rightmostInk < img.getWidth() - 5, "the title ends inside: " + rightmostInk);
  }

  @Test
  void barsAndHeatmapAreReadable() throws IOException {
    BufferedImage bars = readBack(Charts.bars("sizes", "rank", "rows", List.of("1", "2"),
        List.of(new Charts.Series("m", null, new double[] {30, 10}))));
    assertTrue(colours(bars).contains(0x1f77b4));
    BufferedImage heat = readBack(Charts.heatmap("cm", "label", "cluster",
        new long[][] {{5, 0}, {1, 9}}, List.of("0", "1"), List.of("c1", "c2")));
    assertTrue(colours(heat).size() > 3);
    assertThrows(IllegalArgumentException.class, () -> Charts.bars("x", "x", "y", List.of("1"),
        List.of(new Charts.Series("m", null, new double[] {1, 2}))));
  }

  @Test
  void figure1FollowsTheCrossEntropies() throws IOException {
    List<Charts.Series> s = Figures.figure1Series(99);
    assertEquals(2 * Figures.FIGURE1_LABELS.length, s.size());
    for (int i = 0; i < s.size(); i += 2) {
      double[] h2 = s.get(i).y();
      double[] h = s.get(i + 1).y();
      for (int j = 0; j < h2.length; j++) {
        // Jensen: -ln Σ y σ ≤ -Σ y ln σ, equal at σ = y.
        assertTrue(h2[j] <= h[j] + 1e-12, "H2 <= H at " + j);
      }
    }
    // Uniform y: H2 = ln 2 for every σ (no gradient), H is smallest at σ = y.
    double[] uniform = s.get(4).y();
    for (double v : uniform) {
      assertEquals(Math.log(2), v, 1e-12);
    }
    readBack(Figures.figure1());
  }

  @Test
  void confusionPutsTheMatchingOnTheDiagonal() {
    int[] labels = {0, 0, 0, 1, 1, 2, 2, 2};
    int[] clusters = {2, 2, 1, 0, 0, 1, 1, 2};
    ContingencyTable t = ContingencyTable.of(labels, clusters);
    Figures.Confusion c = Figures.confusion(t);
    long trace = 0;
    for (int i = 0; i < 3; i++) {
      trace += c.counts()[i][i];
    }
    assertEquals(ClusteringMetrics.accuracy(t) * labels.length, trace, 1e-9);
    assertArrayEquals(new int[] {2, 0, 1}, c.order());
  }
}
