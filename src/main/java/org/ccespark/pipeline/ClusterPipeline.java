package org.ccespark.pipeline;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.ccespark.data.FeatureInput;
import org.ccespark.data.LoadedInput;
import org.ccespark.features.ImageFeatures;
import org.ccespark.features.ImagePaths;
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

  /** Names of the output columns, which no kept column may have. */
  public static final List<String> RESERVED = List.of(FeatureInput.ROW_COL,
      FeatureInput.LABEL_COL, FeatureInput.SEED_LABEL_COL, Clustering.PREDICTION_COL,
      Clustering.PROBABILITY_COL);

  /** The columns kept by default, when the input has them. */
  public static final List<String> DEFAULT_KEEP_COLS = List.of(ImageFeatures.ID_COL,
      ImagePaths.PATH_COL);

  /**
   * Whether a column can be kept as it is: it is not the features, label or seed-label column
   * (either may be null) and has no output column's name ({@link #RESERVED}).
   */
  private static boolean keepable(String column, String featuresCol, String labelCol,
      String seedLabelCol) {
    return !RESERVED.contains(column) && !column.equals(featuresCol) && !column.equals(labelCol)
        && !column.equals(seedLabelCol);
  }

  /**
   * The columns to keep: the requested ones, each of which the input must have, or by default
   * those of {@link #DEFAULT_KEEP_COLS} that it has and that are not otherwise used.
   *
   * @param columns the input's columns
   * @param requested the names of {@code --keep-cols}, or null for the default
   * @throws IllegalArgumentException naming a requested column the input does not have, and its columns
   */
  public static List<String> keptColumns(List<String> columns, List<String> requested, String input,
      String featuresCol, String labelCol, String seedLabelCol) {
    if (requested == null) {
      return DEFAULT_KEEP_COLS.stream().filter(c -> columns.contains(c)
          && keepable(c, featuresCol, labelCol, seedLabelCol)).toList();
    }
    for (String c : requested) {
      if (!columns.contains(c)) {
        throw new IllegalArgumentException("--keep-cols: column '" + c + "' is not in '" + input
            + "', whose columns are " + String.join(", ", columns));
      }
    }
    return requested;
  }

  /**
   * Checks that each requested column can be kept as it is ({@link #keepable}).
   *
   * @param requested the names of {@code --keep-cols}, or null for the default
   * @throws IllegalArgumentException naming a column that cannot be kept
   */
  public static void checkKeepable(List<String> requested, String featuresCol, String labelCol,
      String seedLabelCol) {
    for (String c : requested == null ? List.<String>of() : requested) {
      if (!keepable(c, featuresCol, labelCol, seedLabelCol)) {
        throw new IllegalArgumentException("--keep-cols: '" + c + "' cannot be kept: it is the"
            + " label, seed-label or features column, or the name of an output column ("
            + String.join(", ", RESERVED) + ")");
      }
    }
  }

  /** A few lines for the terminal: timings, loss, cluster sizes, scores. */
  public static String summary(ClusterMetrics m) {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text);
    out.printf("%s: %d rows, k=%d, fit %.1f s, total %.1f s%n", m.method(), m.rows(), m.k(),
        m.seconds().fit(), m.seconds().total());
    Training t = m.training();
    double[] loss = t.lossPerEpoch();
    if (loss != null && loss.length > 0) {
      out.printf("  loss per epoch: %.4f (epoch 1) ... %.4f (epoch %d)%n", loss[0],
          loss[loss.length - 1], loss.length);
    }
    if (t.trainingCost() != null) {
      out.printf("  K-means cost %.4g after %s iterations%n", t.trainingCost(), t.iterations());
    }
    double[] restarts = t.restartLosses() != null ? t.restartLosses() : t.restartCosts();
    if (restarts != null) {
      out.printf("  %s of the %d restarts: %s; kept restart %s (the lowest)%n",
          t.restartLosses() != null ? "final full-data loss" : "K-means cost", restarts.length,
          Arrays.stream(restarts).mapToObj(v -> String.format("%.6g", v))
              .collect(Collectors.joining(" ")), t.chosenRestart() + 1);
    }
    out.println("  cluster sizes: " + LongStream.of(m.clusterSizes())
        .mapToObj(Long::toString).collect(Collectors.joining(" ")));
    if (m.scores() != null) {
      out.printf("  ACC %.4f  NMI %.4f  ARI %.4f%n", m.scores().acc(), m.scores().nmi(),
          m.scores().ari());
      if (m.nullLabelRows() > 0) {
        out.printf("  (over the labelled rows: %s rows with a null label left out)%n",
            m.nullLabelRows());
      }
    }
    ClusterMetrics.Unlabelled u = m.unlabelled();
    if (u != null && u.scores() != null) {
      out.printf("  unlabelled rows (%s): ACC %.4f  NMI %.4f  ARI %.4f  accuracy %.4f%n",
          u.rows(), u.scores().acc(), u.scores().nmi(), u.scores().ari(), u.accuracy());
    }
    out.flush();
    return text.toString();
  }
}
