package org.ccespark.experiment;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.ccespark.report.Charts;

/** The experiment's per-dataset figures: mean loss curves, cluster sizes, confusion matrices. */
final class ExperimentFigures {
  private ExperimentFigures() {}

  /** The mean of the curves over seeds, as long as the shortest. */
  static Charts.Series meanCurve(String method, List<double[]> curves) {
    int epochs = curves.stream().mapToInt(c -> c.length).min().orElse(0);
    double[] x = new double[epochs];
    double[] y = new double[epochs];
    for (int e = 0; e < epochs; e++) {
      x[e] = e + 1;
      for (double[] c : curves) {
        y[e] += c[e] / curves.size();
      }
    }
    return new Charts.Series(method, x, y);
  }

  /** Loss per epoch of every method on dataset {@code d}, or null if none reports a loss. */
  static BufferedImage loss(String d, List<String> methods, Map<String, List<double[]>> losses) {
    List<Charts.Series> series = new ArrayList<>();
    for (String m : methods) {
      List<double[]> curves = losses.get(ExperimentResults.key(d, m));
      if (curves != null) {
        series.add(meanCurve(m, curves));
      }
    }
    return series.isEmpty() ? null : Charts.line("loss per epoch, " + d + " (mean over seeds)",
        "epoch", "each method's own training loss", series, Double.NaN, Double.NaN);
  }

  /** Cluster sizes of every method's first fit on {@code d}, largest first, and the classes'. */
  static BufferedImage sizes(String d, List<String> methods, Map<String, ClusteringFit> fits) {
    List<Charts.Series> series = new ArrayList<>();
    int k = 0;
    long[] classSizes = null;
    for (String m : methods) {
      ClusteringFit fit = fits.get(ExperimentResults.key(d, m));
      long[] sorted = fit.clusterSizes().clone();
      Arrays.sort(sorted);
      double[] y = new double[sorted.length];
      for (int i = 0; i < sorted.length; i++) {
        y[i] = sorted[sorted.length - 1 - i];
      }
      k = Math.max(k, y.length);
      series.add(new Charts.Series(m, null, y));
      if (classSizes == null) {
        classSizes = new long[fit.confusion().length];
        for (int i = 0; i < classSizes.length; i++) {
          for (long c : fit.confusion()[i]) {
            classSizes[i] += c;
          }
        }
      }
    }
    Arrays.sort(classSizes);
    double[] truth = new double[k];
    Arrays.fill(truth, Double.NaN);
    for (int i = 0; i < Math.min(k, classSizes.length); i++) {
      truth[i] = classSizes[classSizes.length - 1 - i];
    }
    series.add(new Charts.Series("true classes", null, truth));
    List<String> ranks = new ArrayList<>();
    for (int i = 1; i <= k; i++) {
      ranks.add(Integer.toString(i));
    }
    List<Charts.Series> padded = new ArrayList<>();
    for (Charts.Series s : series) {
      double[] y = Arrays.copyOf(s.y(), k);
      for (int i = s.y().length; i < k; i++) {
        y[i] = Double.NaN;
      }
      padded.add(new Charts.Series(s.name(), null, y));
    }
    return Charts.bars("cluster sizes, " + d + ", seed 1 (largest first)", "cluster (by size)",
        "rows", ranks, padded);
  }

  /** The confusion matrix of {@code fit} (seed 1), clusters in matched order. */
  static BufferedImage confusion(String d, String m, ClusteringFit fit) {
    List<String> columns = new ArrayList<>();
    for (int c = 0; c < fit.confusion()[0].length; c++) {
      columns.add("c" + (c + 1));
    }
    return Charts.heatmap("confusion matrix, " + d + ", " + m + ", seed 1 (clusters in matched"
        + " order)", "true label", "cluster", fit.confusion(), fit.labelNames(), columns);
  }
}
