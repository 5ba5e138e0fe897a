package org.ccespark.report;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.ccespark.eval.ContingencyTable;
import org.ccespark.eval.HungarianMatching;
import org.ccespark.math.CrossEntropy;

/** The figures of the paper and of the experiment outputs that are computed here, not measured. */
public final class Figures {
  private Figures() {}

  /** The first entries of the fixed binary soft labels {@code y = (y1, 1 - y1)} of Figure 1. */
  public static final double[] FIGURE1_LABELS = {0.9, 0.7, 0.5};

  /**
   * The curves of Figure 1: for each {@code y = (y1, 1 - y1)} of {@link #FIGURE1_LABELS}, the
   * collision cross-entropy {@code H2(y, σ)} (eq. 9) and Shannon's {@code H(y, σ)} (eq. 8) at
   * {@code σ = (x, 1 - x)} for {@code points} values of x evenly spaced in (0, 1), computed with
   * {@link CrossEntropy#collision} and {@link CrossEntropy#shannon}.
   *
   * @return per label: first the H2 series, then the (dashed) H series
   */
  public static List<Charts.Series> figure1Series(int points) {
    double[] x = new double[points];
    for (int i = 0; i < points; i++) {
      x[i] = (i + 1.0) / (points + 1.0);
    }
    List<Charts.Series> out = new ArrayList<>();
    for (double y1 : FIGURE1_LABELS) {
      double[] y = {y1, 1 - y1};
      double[] h2 = new double[points];
      double[] h = new double[points];
      for (int i = 0; i < points; i++) {
        double[] sigma = {x[i], 1 - x[i]};
        h2[i] = CrossEntropy.collision(y, 0, sigma, 0, 2);
        h[i] = CrossEntropy.shannon(y, 0, sigma, 0, 2);
      }
      String name = String.format("y=(%.1f,%.1f)", y1, 1 - y1);
      out.add(new Charts.Series("H2, " + name, x, h2, false));
      out.add(new Charts.Series("H, " + name, x, h, true));
    }
    return out;
  }

  /** Figure 1 as an image: the series of {@link #figure1Series}, y axis cut at 3. */
  public static BufferedImage figure1() {
    return Charts.line("Figure 1: collision CE H2(y,σ) (solid) vs Shannon CE H(y,σ) (dashed)",
        "x, where σ = (x, 1 − x)", "cross-entropy", figure1Series(199), 0, 3);
  }

  /**
   * The confusion matrix of a clustering with its clusters reordered by the Hungarian matching
   * that defines ACC, so that matched clusters lie on the diagonal; unmatched clusters come last.
   *
   * @return {@code [label][column]} counts and, in {@code order}, the cluster shown in each column
   */
  public record Confusion(long[][] counts, int[] order) {}

  /** See {@link Confusion}. */
  public static Confusion confusion(ContingencyTable table) {
    long[][] raw = table.toArray();
    int labels = table.numLabels();
    int clusters = table.numClusters();
    double[][] weight = new double[labels][clusters];
    for (int i = 0; i < labels; i++) {
      for (int j = 0; j < clusters; j++) {
        weight[i][j] = raw[i][j];
      }
    }
    int[] match = HungarianMatching.maximumWeightAssignment(weight);
    List<Integer> order = new ArrayList<>();
    boolean[] used = new boolean[clusters];
    for (int i = 0; i < labels; i++) {
      if (match[i] >= 0) {
        order.add(match[i]);
        used[match[i]] = true;
      }
    }
    for (int j = 0; j < clusters; j++) {
      if (!used[j]) {
        order.add(j);
      }
    }
    long[][] counts = new long[labels][clusters];
    int[] orderArray = new int[clusters];
    for (int c = 0; c < clusters; c++) {
      orderArray[c] = order.get(c);
      for (int i = 0; i < labels; i++) {
        counts[i][c] = raw[i][orderArray[c]];
      }
    }
    return new Confusion(counts, orderArray);
  }
}
