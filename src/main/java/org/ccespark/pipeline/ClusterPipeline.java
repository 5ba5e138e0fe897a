package org.ccespark.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.ccespark.data.FeatureInput;
import org.ccespark.data.LoadedInput;
import org.ccespark.ml.CollisionClustering;
import org.ccespark.spark.TrainingCheckpoint;

/**
 * The clustering of a feature file, step by step: read and validate the input, fit CCE (or a
 * baseline method) or K-means, predict, score against the labels, and write {@code predictions.csv},
 * {@code predictions/}, {@code model/} and {@code metrics.json}.
 */
public final class ClusterPipeline {
  private ClusterPipeline() {}

  /**
   * What to cluster and how.
   *
   * @param input the feature file, folder or glob
   * @param format {@code auto}, {@code parquet}, {@code csv} or {@code libsvm}
   * @param featuresCol the features column
   * @param labelCol the column of true labels, or null
   * @param seedLabelCol the column of seed labels (semi-supervised), or null
   * @param skipInvalid whether rows with invalid features are left out (else they fail the run)
   * @param keepCols the input's columns to carry into the predictions
   * @param partitions partitions to repartition the input into, or 0 for as read
   * @param kmeans whether MLlib K-means runs (with the estimator's k, seed and restarts)
   * @param estimator the configured estimator (its method, k, seed, checkpoint folder...)
   */
  public record Settings(String input, String format, String featuresCol, String labelCol,
      String seedLabelCol, boolean skipInvalid, List<String> keepCols, int partitions,
      boolean kmeans, CollisionClustering estimator) {}

  /**
   * Runs the pipeline and writes its outputs into {@code sink}.
   *
   * @param progress receives a line per step
   * @param t0 {@link System#nanoTime()} when the run started, for the total seconds
   * @return what was written as {@code metrics.json}
   */
  public static ClusterMetrics run(SparkSession spark, Settings s, OutputSink sink,
      Consumer<String> progress, long t0) {
    CollisionClustering estimator = s.estimator();
    LoadedInput in = read(spark, s, progress);
    int k = estimator.getK();
    long seeded = validate(in, s, k);
    // A shuffle delivers each partition's rows in the order its blocks arrive, which differs
    // between local[N] and a cluster; the training order follows the row order, so restore it.
    Dataset<Row> data = s.partitions() > 0
        ? in.data().repartition(s.partitions()).sortWithinPartitions(FeatureInput.ROW_COL)
        : in.data();
    data = data.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      progress.accept(String.format("read %d rows x %d features (%s%s%s); fitting %s with k=%d",
          in.numRows(), in.numFeatures(), in.format(), in.hasLabel() ? ", with labels" : "",
          s.seedLabelCol() == null ? "" : ", " + seeded + " with seed labels",
          s.kmeans() ? "K-means" : estimator.getMethod(), k));
      FittedClustering result = s.kmeans()
          ? Clustering.kmeans(k, estimator.getSeed(), estimator.getNumRestarts(), data,
              in.featuresCol())
          : Clustering.cce(estimator, data, in.featuresCol());
      try {
        Scores scores = null;
        Long nullLabelRows = null;
        if (in.hasLabel()) {
          Dataset<Row> labelled = result.predictions()
              .where(functions.col(FeatureInput.LABEL_COL).isNotNull());
          long n = labelled.count();
          if (n == 0) {
            throw new IllegalArgumentException("every one of the " + in.numRows() + " labels of"
                + " --label-col is null, so ACC, NMI and ARI cannot be computed; leave out"
                + " --label-col");
          }
          scores = Scores.of(labelled, FeatureInput.LABEL_COL, Clustering.PREDICTION_COL);
          nullLabelRows = in.numRows() - n;
        }
        ClusterMetrics.Unlabelled unlabelled = s.seedLabelCol() != null && in.hasLabel()
            ? unlabelled(result, in.numRows() - seeded) : null;
        progress.accept(String.format("fitted in %.1f s; writing predictions and model",
            result.fitSeconds()));
        write(result, sink, in.hasLabel(), s);
        ClusterMetrics metrics = new ClusterMetrics("cluster", result.method(), k, in.numRows(),
            in.skippedRows(), scores, nullLabelRows, s.seedLabelCol() == null ? null
                : new ClusterMetrics.SeedLabels(s.seedLabelCol(), seeded,
                    result.params().get("seedLabelWeight")), unlabelled, result.clusterSizes(),
            result.training(), new ClusterMetrics.Seconds(result.fitSeconds(),
                (System.nanoTime() - t0) / 1e9),
            new ClusterMetrics.Input(in.path(), in.format(), in.numRows(), in.numFeatures(),
                in.featuresCol(), s.labelCol(), s.keepCols(),
                s.partitions() > 0 ? s.partitions() : null),
            result.params(), SparkInfo.of(spark));
        sink.writeJson("metrics.json", metrics);
        return metrics;
      } finally {
        result.release();
      }
    } finally {
      data.unpersist(false);
    }
  }

  /**
   * Checks the estimator's checkpoint folder, if it has one, before anything is read: a non-empty
   * folder without resume, or one another run uses, is an error (the fit takes the folder again).
   */
  public static void checkCheckpoint(SparkSession spark, CollisionClustering estimator) {
    String folder = estimator.getCheckpointDir();
    if (folder != null && !folder.isEmpty()) {
      TrainingCheckpoint.open(spark.sparkContext().hadoopConfiguration(), folder,
          estimator.getResume()).close();
    }
  }

  /** Reads the input, with the features, label, seed-label and kept columns. */
  private static LoadedInput read(SparkSession spark, Settings s, Consumer<String> progress) {
    progress.accept(String.format("reading %s (format %s)%s", s.input(), s.format(),
        s.keepCols().isEmpty() ? "" : "; keeping " + String.join(", ", s.keepCols())));
    LoadedInput in = FeatureInput.read(spark, s.input(), s.format(), s.featuresCol(),
        s.labelCol(), s.seedLabelCol(), s.skipInvalid(), s.keepCols());
    if (in.skippedRows() > 0) {
      progress.accept(String.format("skipped %d invalid rows of %s (--on-invalid skip)",
          in.skippedRows(), s.input()));
    }
    return in;
  }

  /**
   * Checks the input against the settings: at least k rows, at least as many rows as partitions,
   * seed labels in [0, k).
   *
   * @return the number of rows with a seed label
   */
  private static long validate(LoadedInput in, Settings s, int k) {
    if (k > in.numRows()) {
      throw new IllegalArgumentException("--k " + k + " is larger than the number of rows ("
          + in.numRows() + ") of '" + s.input() + "'.");
    }
    if (s.partitions() > in.numRows()) {
      throw new IllegalArgumentException("--partitions " + s.partitions() + " is more than the"
          + " number of rows (" + in.numRows() + ") of '" + s.input() + "': every partition"
          + " needs rows, and each costs a task per training step; use at most " + in.numRows()
          + " (a few partitions per core are enough).");
    }
    return s.seedLabelCol() == null ? 0
        : FeatureInput.checkClassIndices(in, s.seedLabelCol(), k);
  }

  /** The scores of the rows without a seed label, where their true label is known. */
  private static ClusterMetrics.Unlabelled unlabelled(FittedClustering result, long rows) {
    Dataset<Row> known = result.predictions()
        .filter(functions.col(FeatureInput.SEED_LABEL_COL).isNull())
        .filter(functions.col(FeatureInput.LABEL_COL).isNotNull());
    long m = known.count();
    if (m == 0) {
      return new ClusterMetrics.Unlabelled(rows, null, null, null);
    }
    long correct = known.filter(functions.col(FeatureInput.LABEL_COL).cast("double")
        .equalTo(functions.col(Clustering.PREDICTION_COL))).count();
    return new ClusterMetrics.Unlabelled(rows,
        Scores.of(known, FeatureInput.LABEL_COL, Clustering.PREDICTION_COL), rows - m,
        correct / (double) m);
  }

  /** Writes predictions.csv, predictions/ (Parquet) and model/. */
  private static void write(FittedClustering result, OutputSink sink, boolean hasLabel,
      Settings s) {
    List<String> csvColumns = new ArrayList<>(List.of(FeatureInput.ROW_COL));
    s.keepCols().forEach(c -> csvColumns.add(Clustering.quoted(c)));
    if (hasLabel) {
      csvColumns.add(FeatureInput.LABEL_COL);
    }
    if (s.seedLabelCol() != null) {
      csvColumns.add(FeatureInput.SEED_LABEL_COL);
    }
    csvColumns.add(Clustering.PREDICTION_COL);
    result.predictions().selectExpr(csvColumns.toArray(new String[0]))
        .repartition(1).sortWithinPartitions(FeatureInput.ROW_COL)
        .write().option("header", "true").csv(sink.path("_predictions.csv"));
    sink.keepSinglePart("_predictions.csv", "predictions.csv");
    result.predictions().write().parquet(sink.path("predictions"));
    try {
      result.model().write().save(sink.path("model"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
