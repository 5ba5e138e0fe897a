package org.ccespark.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.ccespark.data.DemoData;
import org.ccespark.data.FeatureInput;
import org.ccespark.ml.CollisionClustering;

/**
 * The demo: the fit-and-score pipeline run on the bundled 2,000 MNIST digits with CCE and MLlib
 * K-means (k = 10) for seeds 1..n; writes {@code metrics.json} and one predictions CSV per method
 * ({@code row,label,seed1,...}).
 */
public final class DemoPipeline {
  private DemoPipeline() {}

  /** The methods compared, in run order. */
  public static final List<String> METHODS = List.of("cce", Clustering.KMEANS);

  /**
   * Runs every method for every seed and writes the outputs into {@code sink}.
   *
   * @param seeds the number of seeds, 1..seeds
   * @param cce a new CCE estimator with the options of the command line (k and seed are set here)
   * @param progress receives a line per fit
   * @param t0 {@link System#nanoTime()} when the run started, for the total seconds
   * @return what was written as {@code metrics.json}
   */
  public static DemoMetrics run(SparkSession spark, int seeds,
      Supplier<CollisionClustering> cce, OutputSink sink, Consumer<String> progress, long t0) {
    progress.accept(String.format("loading the demo sample: %,d MNIST digits, %d features, k=%d,"
        + " seeds 1..%d", DemoData.NUM_ROWS, DemoData.NUM_FEATURES, DemoData.NUM_CLASSES, seeds));
    Dataset<Row> data = DemoData.load(spark).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Map<String, List<DemoMetrics.Run>> runs = new LinkedHashMap<>();
      Map<String, List<int[]>> predictions = new LinkedHashMap<>();
      for (String method : METHODS) {
        runs.put(method, new ArrayList<>());
        predictions.put(method, new ArrayList<>());
      }
      int[] labels = new int[DemoData.NUM_ROWS];
      for (long seed = 1; seed <= seeds; seed++) {
        for (String method : METHODS) {
          progress.accept(String.format("seed %d: fitting %s", seed, label(method)));
          FittedClustering result = method.equals(Clustering.KMEANS)
              ? Clustering.kmeans(DemoData.NUM_CLASSES, seed, data,
                  FeatureInput.DEFAULT_FEATURES_COL)
              : Clustering.cce(cce.get().setK(DemoData.NUM_CLASSES).setSeed(seed), data,
                  FeatureInput.DEFAULT_FEATURES_COL);
          try {
            // 2,000 rows: collect them once and score on the driver (no extra Spark jobs).
            int[] predicted = new int[DemoData.NUM_ROWS];
            for (Row row : result.predictions().select(FeatureInput.ROW_COL,
                FeatureInput.LABEL_COL, Clustering.PREDICTION_COL).collectAsList()) {
              int r = (int) row.getLong(0);
              labels[r] = row.getInt(1);
              predicted[r] = row.getInt(2);
            }
            Scores scores = Scores.of(labels, predicted);
            runs.get(method).add(new DemoMetrics.Run(seed, scores, result.fitSeconds(),
                result.clusterSizes(), result.training(), result.params()));
            predictions.get(method).add(predicted);
            progress.accept(String.format("seed %d: %-7s ACC %.4f  NMI %.4f  ARI %.4f  (fit %.1f"
                + " s)", seed, label(method), scores.acc(), scores.nmi(), scores.ari(),
                result.fitSeconds()));
          } finally {
            result.release();
          }
        }
      }
      Map<String, DemoMetrics.MethodRuns> methods = new LinkedHashMap<>();
      for (String method : METHODS) {
        sink.writeText("predictions-" + method + ".csv",
            predictionsCsv(labels, predictions.get(method)));
        methods.put(method, DemoMetrics.MethodRuns.of(runs.get(method)));
      }
      DemoMetrics metrics = new DemoMetrics("demo", new DemoMetrics.Data(
          "MNIST sample bundled with cce-spark (org.ccespark.data.DemoData)", DemoData.NUM_ROWS,
          DemoData.NUM_FEATURES, DemoData.NUM_CLASSES), DemoData.NUM_CLASSES, seeds, methods,
          new DemoMetrics.Seconds((System.nanoTime() - t0) / 1e9), SparkInfo.of(spark));
      sink.writeJson("metrics.json", metrics);
      return metrics;
    } finally {
      data.unpersist(false);
    }
  }

  /** How the demo names a method: CCE or K-means. */
  public static String label(String method) {
    return method.equals(Clustering.KMEANS) ? "K-means" : "CCE";
  }

  /** {@code row,label,seed1,...}: one line per digit, its cluster under each seed. */
  private static String predictionsCsv(int[] labels, List<int[]> perSeed) {
    StringBuilder sb = new StringBuilder("row,label");
    for (int s = 1; s <= perSeed.size(); s++) {
      sb.append(",seed").append(s);
    }
    sb.append('\n');
    for (int r = 0; r < labels.length; r++) {
      sb.append(r).append(',').append(labels[r]);
      for (int[] p : perSeed) {
        sb.append(',').append(p[r]);
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** The printed table: mean ± std per method, then every seed. */
  public static String table(DemoMetrics m) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("MNIST demo, %,d digits, k=%d, %d seed%s (mean ± sample std over"
        + " seeds)%n", m.data().rows(), m.k(), m.seeds(), m.seeds() == 1 ? "" : "s"));
    sb.append(String.format("%-8s  %-15s  %-15s  %-15s  %s%n", "method", "ACC", "NMI", "ARI",
        "fit s (mean)"));
    m.methods().forEach((method, runs) -> sb.append(String.format(
        "%-8s  %-15s  %-15s  %-15s  %.1f%n", label(method), runs.acc().meanStd(),
        runs.nmi().meanStd(), runs.ari().meanStd(), runs.meanFitSeconds())));
    sb.append(String.format("%nper seed:%n%-8s  %4s  %-6s  %-6s  %-6s  %s%n", "method", "seed",
        "ACC", "NMI", "ARI", "fit s"));
    m.methods().forEach((method, runs) -> runs.runs().forEach(run -> sb.append(String.format(
        "%-8s  %4d  %.4f  %.4f  %.4f  %.1f%n", label(method), run.seed(), run.scores().acc(),
        run.scores().nmi(), run.scores().ari(), run.fitSeconds()))));
    return sb.toString();
  }
}
