package org.ccespark.app;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.ccespark.app.CommandLine.Command;
import org.ccespark.app.CommandLine.Option;
import org.ccespark.app.CommandLine.Parsed;
import org.ccespark.data.DemoData;
import org.ccespark.data.FeatureInput;
import org.ccespark.eval.ClusteringMetrics;
import org.ccespark.ml.CollisionClustering;
import org.ccespark.report.Stats;

/**
 * {@code demo}: CCE and MLlib K-means (k = 10) on the bundled 2,000 MNIST digits for seeds 1..n;
 * prints ACC/NMI/ARI as mean ± standard deviation over the seeds and per seed, and writes
 * {@code metrics.json} and one predictions CSV per method.
 */
final class DemoCommand {
  /** Where the demo writes when no {@code --output} is given (relative to the current folder). */
  static final String DEFAULT_OUTPUT = "target/demo-output";

  private static final List<String> CCE_OPTIONS = List.of("--epochs");
  private static final String[] METHODS = {"cce", "kmeans"};
  private static final String[] METRICS = {"acc", "nmi", "ari"};

  static final Command COMMAND = new Command("demo",
      "[--output DIR] [--seeds N] [--epochs N] [--overwrite]",
      "CCE vs K-means on the bundled 2,000 MNIST digits, over several seeds",
      "Clusters the bundled sample of 2,000 MNIST digits (200 per digit, 784 pixel values in"
          + " [0,1]) into k = 10 clusters with CCE (default parameters) and with MLlib K-means,"
          + " for each seed 1..N, and prints ACC, NMI and ARI against the true digits: mean ±"
          + " sample standard deviation over the seeds, then the value of every seed."
          + "\n\nWrites into DIR: metrics.json (every run's scores, parameters, cluster sizes,"
          + " loss per epoch and seconds, and the summary per method) and predictions-cce.csv and"
          + " predictions-kmeans.csv (header row,label,seed1,...,seedN: each row's cluster per"
          + " seed). The default DIR, " + DEFAULT_OUTPUT + " under the current folder, is replaced"
          + " on every run; an explicit --output is replaced only with --overwrite.",
      options());

  private static List<Option> options() {
    List<Option> options = new ArrayList<>();
    options.add(Option.value("--output", "DIR", DEFAULT_OUTPUT, "output folder"));
    options.add(Option.value("--seeds", "N", "3", "run seeds 1..N"));
    options.addAll(ClusteringRun.cceOptions(CCE_OPTIONS, List.of()));
    options.add(Option.flag("--overwrite", "replace an existing --output DIR"));
    return options;
  }

  private final Parsed args;
  private final PrintStream out;

  DemoCommand(Parsed args, PrintStream out) {
    this.args = args;
    this.out = out;
  }

  /** One fit: its seed, scores, seconds and what the method reported. */
  private record Run(long seed, Map<String, Double> scores, ClusteringRun.Result result,
      int[] predictions) {}

  void run() {
    long t0 = System.nanoTime();
    int seeds = args.integer("--seeds", 3, 1);
    ClusteringRun.configure(args, CCE_OPTIONS); // checks the values before Spark starts
    String output = args.string("--output", DEFAULT_OUTPUT);
    boolean overwrite = args.has("--overwrite") || !args.has("--output");

    SparkSession spark = Main.session();
    try (OutputDir dir = OutputDir.open(spark.sparkContext().hadoopConfiguration(), output,
        overwrite)) {
      out.printf("loading the demo sample: %,d MNIST digits, %d features, k=%d, seeds 1..%d%n",
          DemoData.NUM_ROWS, DemoData.NUM_FEATURES, DemoData.NUM_CLASSES, seeds);
      Dataset<Row> data = DemoData.load(spark).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        int[] labels = null;
        for (String method : METHODS) {
          runs.put(method, new ArrayList<>());
        }
        for (long seed = 1; seed <= seeds; seed++) {
          for (String method : METHODS) {
            out.printf("seed %d: fitting %s%n", seed, label(method));
            ClusteringRun.Result result = method.equals("cce")
                ? ClusteringRun.cce(ClusteringRun.configure(args, CCE_OPTIONS)
                    .setK(DemoData.NUM_CLASSES).setSeed(seed), data,
                    FeatureInput.DEFAULT_FEATURES_COL)
                : ClusteringRun.kmeans(DemoData.NUM_CLASSES, seed, data,
                    FeatureInput.DEFAULT_FEATURES_COL);
            try {
              // 2,000 rows: collect them once and score on the driver (no extra Spark jobs).
              int[] predictions = new int[DemoData.NUM_ROWS];
              int[] runLabels = new int[DemoData.NUM_ROWS];
              for (Row row : result.predictions().select(FeatureInput.ROW_COL,
                  FeatureInput.LABEL_COL, ClusteringRun.PREDICTION_COL).collectAsList()) {
                int r = (int) row.getLong(0);
                runLabels[r] = row.getInt(1);
                predictions[r] = row.getInt(2);
              }
              labels = runLabels;
              Map<String, Double> scores = new LinkedHashMap<>();
              scores.put("acc", ClusteringMetrics.accuracy(labels, predictions));
              scores.put("nmi", ClusteringMetrics.nmi(labels, predictions));
              scores.put("ari", ClusteringMetrics.ari(labels, predictions));
              runs.get(method).add(new Run(seed, scores, result, predictions));
              out.printf("seed %d: %-7s ACC %.4f  NMI %.4f  ARI %.4f  (fit %.1f s)%n", seed,
                  label(method), scores.get("acc"), scores.get("nmi"), scores.get("ari"),
                  result.fitSeconds());
            } finally {
              result.release();
            }
          }
        }
        for (String method : METHODS) {
          dir.writeText("predictions-" + method + ".csv", predictionsCsv(labels, runs.get(method)));
        }
        dir.writeJson("metrics.json", metrics(spark, runs, seeds, t0));
        dir.commit();
        out.println();
        out.print(table(runs, seeds));
        out.printf("%nwrote %s: metrics.json, predictions-cce.csv, predictions-kmeans.csv"
            + " (%.1f s in all)%n", dir.display(), (System.nanoTime() - t0) / 1e9);
      } finally {
        data.unpersist(false);
      }
    }
  }

  private static String label(String method) {
    return method.equals("cce") ? "CCE" : "K-means";
  }

  /** {@code row,label,seed1,...}: one line per digit, its cluster under each seed. */
  private static String predictionsCsv(int[] labels, List<Run> runs) {
    StringBuilder sb = new StringBuilder("row,label");
    for (Run run : runs) {
      sb.append(",seed").append(run.seed());
    }
    sb.append('\n');
    for (int r = 0; r < labels.length; r++) {
      sb.append(r).append(',').append(labels[r]);
      for (Run run : runs) {
        sb.append(',').append(run.predictions()[r]);
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private Map<String, Object> metrics(SparkSession spark, Map<String, List<Run>> runs, int seeds,
      long t0) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("command", "demo");
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("name", "MNIST sample bundled with cce-spark (org.ccespark.data.DemoData)");
    data.put("rows", DemoData.NUM_ROWS);
    data.put("features", DemoData.NUM_FEATURES);
    data.put("classes", DemoData.NUM_CLASSES);
    m.put("data", data);
    m.put("k", DemoData.NUM_CLASSES);
    m.put("seeds", seeds);
    Map<String, Object> methods = new LinkedHashMap<>();
    for (Map.Entry<String, List<Run>> e : runs.entrySet()) {
      Map<String, Object> method = new LinkedHashMap<>();
      for (String metric : METRICS) {
        double[] values = values(e.getValue(), metric);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("mean", Stats.mean(values));
        summary.put("std", Stats.std(values));
        summary.put("perSeed", values);
        method.put(metric, summary);
      }
      List<Map<String, Object>> perRun = new ArrayList<>();
      for (Run run : e.getValue()) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("seed", run.seed());
        r.putAll(run.scores());
        r.put("fitSeconds", run.result().fitSeconds());
        r.put("clusterSizes", run.result().clusterSizes());
        r.putAll(run.result().training());
        r.put("params", run.result().params());
        perRun.add(r);
      }
      method.put("runs", perRun);
      methods.put(e.getKey(), method);
    }
    m.put("methods", methods);
    m.put("seconds", Map.of("total", (System.nanoTime() - t0) / 1e9));
    m.put("spark", ClusteringRun.sparkInfo(spark));
    return m;
  }

  /** The printed table: mean ± std per method, then every seed. */
  private static String table(Map<String, List<Run>> runs, int seeds) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("MNIST demo, %,d digits, k=%d, %d seed%s (mean ± sample std over"
        + " seeds)%n", DemoData.NUM_ROWS, DemoData.NUM_CLASSES, seeds, seeds == 1 ? "" : "s"));
    sb.append(String.format("%-8s  %-15s  %-15s  %-15s  %s%n", "method", "ACC", "NMI", "ARI",
        "fit s (mean)"));
    for (Map.Entry<String, List<Run>> e : runs.entrySet()) {
      sb.append(String.format("%-8s", label(e.getKey())));
      for (String metric : METRICS) {
        double[] v = values(e.getValue(), metric);
        sb.append(String.format("  %-15s", Stats.meanStd(v)));
      }
      sb.append(String.format("  %.1f%n", Stats.mean(e.getValue().stream()
          .mapToDouble(r -> r.result().fitSeconds()).toArray())));
    }
    sb.append(String.format("%nper seed:%n%-8s  %4s  %-6s  %-6s  %-6s  %s%n", "method", "seed",
        "ACC", "NMI", "ARI", "fit s"));
    for (Map.Entry<String, List<Run>> e : runs.entrySet()) {
      for (Run run : e.getValue()) {
        sb.append(String.format("%-8s  %4d  %.4f  %.4f  %.4f  %.1f%n", label(e.getKey()),
            run.seed(), run.scores().get("acc"), run.scores().get("nmi"),
            run.scores().get("ari"), run.result().fitSeconds()));
      }
    }
    return sb.toString();
  }

  private static double[] values(List<Run> runs, String metric) {
    return runs.stream().mapToDouble(r -> r.scores().get(metric)).toArray();
  }
}
