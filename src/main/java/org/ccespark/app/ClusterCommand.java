package org.ccespark.app;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.ccespark.app.CommandLine.Command;
import org.ccespark.app.CommandLine.Option;
import org.ccespark.app.CommandLine.Parsed;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.data.FeatureInput;
import org.ccespark.data.LoadedInput;
import org.ccespark.features.ImageFeatures;
import org.ccespark.ml.CollisionClustering;
import org.ccespark.selflabel.Method;
import org.ccespark.selflabel.Schedule;
import org.ccespark.spark.TrainingCheckpoint;

/**
 * {@code cluster}: reads a feature file, clusters its rows with CCE or K-means, and writes
 * {@code predictions.csv}, {@code predictions/}, {@code metrics.json} and {@code model/} into the
 * output folder, which appears only when all of them are written.
 */
final class ClusterCommand {
  /** The CCE options of this command: all of them, in help order. */
  private static final List<String> CCE_OPTIONS = ClusteringRun.cceOptionNames();

  static final Command COMMAND = new Command("cluster",
      "--input PATH --k K --output DIR [options]",
      "cluster the rows of a feature file (CCE or K-means): predictions, metrics, model",
      "Reads PATH (Parquet, CSV with a header row, or LibSVM), clusters its rows into K clusters"
          + " with collision cross-entropy self-labeling (or MLlib K-means, for comparison) and"
          + " writes into DIR: predictions.csv (header row,id,path,label,prediction: the kept"
          + " columns of --keep-cols, label only with --label-col; ordered by row, the 0-based"
          + " row index in the input), predictions/ (Parquet: the same columns, and for CCE the"
          + " probability vector), metrics.json"
          + " (ACC, NMI and ARI when labels are given, loss and EM iterations per epoch, cluster"
          + " sizes, rows, seconds, method, every parameter, Spark version and master) and model/"
          + " (Spark ML persistence: CollisionClusteringModel.load or KMeansModel.load)."
          + "\n\nDIR is written as .DIR.tmp-<random> beside it and renamed to DIR only once"
          + " complete; on any error, SIGTERM or Ctrl-C nothing is left behind. A temporary"
          + " folder left by a killed run (SIGKILL) is removed by the next run with the same"
          + " --output."
          + "\n\nWith --checkpoint-dir a run killed at any point continues with --resume from"
          + " its last finished epoch and ends with the same model and predictions as a run that"
          + " was never interrupted (the batch order depends only on --seed and the epoch)."
          + "\n\n--method picks the objective; all but kmeans train the same linear softmax"
          + " classifier with the same loop and options: cce (collision cross-entropy, EM on eq. 11"
          + " of Zhang and Boykov), cce-pgd (projected gradient on eq. 10), sela (Asano et al."
          + " 2020: Shannon cross-entropy, hard pseudo-labels from Sinkhorn optimal transport"
          + " under equipartition), miadm (Jabi et al. 2021: Shannon cross-entropy, soft"
          + " pseudo-labels plus KL(mean y||u), eq. 5), migd (Krause et al. 2010: mutual"
          + " information, eq. 1, by gradient descent, no pseudo-labels). --lambda defaults per"
          + " method; only cce supports --schedule fulldata. See docs/methods.md."
          + "\n\nSemi-supervised mode: --seed-label-col names a column of class indices in [0, K)"
          + " (null for unlabelled rows). Every method but kmeans then fixes the pseudo-label of"
          + " each labelled row to its class and adds --seed-label-weight times the mean Shannon"
          + " cross-entropy over those rows to its loss (paper, section 5.3), so cluster c means"
          + " class c; metrics.json adds ACC, NMI, ARI and accuracy (prediction = label) on the"
          + " unlabelled rows when --label-col gives the true labels."
          + "\n\nWith --method kmeans, MLlib's KMeans runs with its own defaults (k-means||"
          + " initialisation, at most 20 iterations) and the same --k and --seed; the other CCE"
          + " options are checked but not used.",
      options());

  private static List<Option> options() {
    List<Option> options = new ArrayList<>();
    options.add(Option.required("--input", "PATH",
        "input file, folder of part files, or Hadoop glob"));
    options.add(Option.required("--output", "DIR", "output folder to create"));
    options.add(Option.value("--format", "auto|parquet|csv|libsvm", "auto",
        "input format; auto goes by extension: .parquet or a Parquet folder, .csv,"
            + " .libsvm/.svm/.txt (a .gz or other compression suffix is ignored)"));
    options.add(Option.value("--label-col", "NAME", "none",
        "column of true labels, kept as 'label' and used for ACC/NMI/ARI (rows with a null"
            + " label are left out of them and counted); for LibSVM any name keeps the file's"
            + " labels. Not used for training"));
    options.add(Option.value("--seed-label-col", "NAME", "none",
        "semi-supervised mode: column of seed labels, a class index in [0, K) or null for an"
            + " unlabelled row (Parquet or CSV; not a feature); kept as 'seedLabel' in the"
            + " outputs. Not with --method kmeans"));
    options.add(Option.value("--keep-cols", "NAME,...|none", "id,path (those the input has)",
        "columns carried unchanged into predictions.csv and predictions/, such as the image id"
            + " and path extract writes, so each row's cluster can be traced back; for CSV they"
            + " are not features. By default id and path when the input has them (other than"
            + " the label, seed-label or features column); none keeps no column"));
    options.add(Option.value("--features-col", "NAME", FeatureInput.DEFAULT_FEATURES_COL,
        "Parquet: the column of feature vectors or numeric arrays. CSV: every column other than"
            + " the label column is a feature, in order (each value must be a number), and this"
            + " only names the assembled vector"));
    options.add(Option.value("--on-invalid", "error|skip", "error",
        "a row with a null, NaN, infinite or non-numeric feature value (a malformed CSV line) or"
            + " a vector of another length than the first valid row's: error fails naming file,"
            + " row and column; skip leaves such rows out (they keep their row index gaps) and"
            + " reports their number as skippedRows in metrics.json"));
    options.add(Option.value("--method", String.join("|", ClusteringRun.METHODS), "cce",
        "cce: collision cross-entropy clustering (EM on eq. 11); cce-pgd: PGD on eq. 10; sela,"
            + " miadm, migd: the paper's baselines on the same classifier; kmeans: Spark MLlib"
            + " KMeans with the same k and seed"));
    options.addAll(ClusteringRun.cceOptions(CCE_OPTIONS, List.of("--k")));
    options.add(Option.value("--partitions", "N", "as read",
        "repartition the input into N partitions before training (round-robin; each"
            + " partition keeps its rows in input order, so the result does not depend on where"
            + " the tasks run)"));
    options.add(Option.flag("--overwrite", "replace DIR if it exists (only once the new output"
        + " is complete)"));
    options.add(Option.value("--checkpoint-dir", "CDIR", "none",
        "write a checkpoint into CDIR after every epoch (W, b, optimizer state, loss so far,"
            + " settings; fulldata: the pseudo-labels); must be missing or empty unless --resume."
            + " Not with --method kmeans"));
    options.add(Option.flag("--resume", "continue the run whose checkpoint is in --checkpoint-dir"
        + " from its last finished epoch (from the first if there is none); the data,"
        + " --partitions and every training option must be the same, else it is refused naming"
        + " the difference. The result equals that of an uninterrupted run"));
    return options;
  }

  private final Parsed args;
  private final PrintStream out;

  ClusterCommand(Parsed args, PrintStream out) {
    this.args = args;
    this.out = out;
  }

  void run() throws IOException {
    long t0 = System.nanoTime();
    // Everything the command line alone decides is checked before Spark starts.
    String input = args.required("--input");
    String output = args.required("--output");
    String format = args.choice("--format", List.of("auto", "parquet", "csv", "libsvm"), "auto");
    String labelCol = args.string("--label-col", null);
    String featuresCol = args.string("--features-col", FeatureInput.DEFAULT_FEATURES_COL);
    try {
      FeatureInput.checkFeaturesColName(featuresCol);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--features-col: " + e.getMessage());
    }
    boolean skipInvalid = args.choice("--on-invalid", List.of("error", "skip"), "error")
        .equals("skip");
    String method = args.choice("--method", ClusteringRun.METHODS, "cce");
    String seedLabelCol = args.string("--seed-label-col", null);
    CollisionClustering estimator = ClusteringRun.configure(args, CCE_OPTIONS);
    boolean kmeans = method.equals("kmeans");
    if (kmeans && seedLabelCol != null) {
      throw new UsageException("--seed-label-col: K-means has no semi-supervised mode; use"
          + " --method cce, cce-pgd, sela, miadm or migd");
    }
    if (seedLabelCol != null && seedLabelCol.equals(labelCol)) {
      throw new UsageException("--seed-label-col and --label-col name the same column '"
          + labelCol + "': the seed labels and the true labels must be different columns");
    }
    if (seedLabelCol != null) {
      estimator.setSeedLabelCol(FeatureInput.SEED_LABEL_COL);
    }
    if (!kmeans) {
      estimator.setMethod(method);
      try {
        Method.of(method).checkSchedule(Schedule.of(estimator.getSchedule()));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--method " + method + " --schedule " + estimator.getSchedule()
            + ": " + e.getMessage());
      }
    }
    List<String> keepCols = keepCols(args.string("--keep-cols", null));
    for (String c : keepCols == null ? List.<String>of() : keepCols) {
      if (!keepable(c, featuresCol, labelCol, seedLabelCol)) {
        throw new UsageException("--keep-cols: '" + c + "' cannot be kept: it is the label,"
            + " seed-label or features column, or the name of an output column ("
            + String.join(", ", RESERVED) + ")");
      }
    }
    int partitions = args.integer("--partitions", 0, 1);
    boolean overwrite = args.has("--overwrite");
    String checkpointDir = args.string("--checkpoint-dir", null);
    boolean resume = args.has("--resume");
    if (resume && checkpointDir == null) {
      throw new UsageException("--resume needs --checkpoint-dir (the folder of the run to continue)");
    }
    if (checkpointDir != null) {
      if (kmeans) {
        throw new UsageException("--checkpoint-dir applies to the CCE methods, not --method kmeans");
      }
      estimator.setCheckpointDir(checkpointDir).setResume(resume);
    }

    SparkSession spark = Main.session();
    try (OutputDir dir = OutputDir.open(spark.sparkContext().hadoopConfiguration(), output,
        overwrite, OutputDir.Other.input("--input", input),
        OutputDir.Other.folder("--checkpoint-dir", checkpointDir))) {
      if (checkpointDir != null) {
        // checked before reading: a non-empty folder without --resume, or one another run
        // uses, is an error (the fit takes the folder again)
        TrainingCheckpoint.open(spark.sparkContext().hadoopConfiguration(), checkpointDir, resume)
            .close();
      }
      keepCols = keptColumns(FeatureInput.columns(spark, input, format), keepCols, input,
          featuresCol, labelCol, seedLabelCol);
      out.printf("reading %s (format %s)%s%n", input, format, keepCols.isEmpty() ? ""
          : "; keeping " + String.join(", ", keepCols));
      LoadedInput in = FeatureInput.read(spark, input, format, featuresCol, labelCol,
          seedLabelCol, skipInvalid, keepCols);
      if (in.skippedRows() > 0) {
        out.printf("skipped %d invalid rows of %s (--on-invalid skip)%n", in.skippedRows(), input);
      }
      int k = estimator.getK();
      if (k > in.numRows()) {
        throw new IllegalArgumentException("--k " + k + " is larger than the number of rows ("
            + in.numRows() + ") of '" + input + "'.");
      }
      if (partitions > in.numRows()) {
        throw new IllegalArgumentException("--partitions " + partitions + " is more than the"
            + " number of rows (" + in.numRows() + ") of '" + input + "': every partition needs"
            + " rows, and each costs a task per training step; use at most " + in.numRows()
            + " (a few partitions per core are enough).");
      }
      long seeded = seedLabelCol == null ? 0
          : FeatureInput.checkClassIndices(in, seedLabelCol, k);
      // A shuffle delivers each partition's rows in the order its blocks arrive, which differs
      // between local[N] and a cluster; the training order follows the row order, so restore it.
      Dataset<Row> data = partitions > 0
          ? in.data().repartition(partitions).sortWithinPartitions(FeatureInput.ROW_COL)
          : in.data();
      data = data.persist(StorageLevel.MEMORY_AND_DISK());
      try {
        out.printf("read %d rows x %d features (%s%s%s); fitting %s with k=%d%n", in.numRows(),
            in.numFeatures(), in.format(), in.hasLabel() ? ", with labels" : "",
            seedLabelCol == null ? "" : ", " + seeded + " with seed labels",
            kmeans ? "K-means" : method, k);
        ClusteringRun.Result result = !kmeans
            ? ClusteringRun.cce(estimator, data, in.featuresCol())
            : ClusteringRun.kmeans(k, estimator.getSeed(), estimator.getNumRestarts(), data,
                in.featuresCol());
        Map<String, Object> metrics;
        try {
          metrics = write(spark, dir, in, k, result, partitions, seedLabelCol, seeded, keepCols,
              t0);
        } finally {
          result.release();
        }
        dir.commit();
        printSummary(metrics, dir);
      } finally {
        data.unpersist(false);
      }
    }
  }

  /** Names of the output columns, which no kept column may have. */
  private static final List<String> RESERVED = List.of(FeatureInput.ROW_COL,
      FeatureInput.LABEL_COL, FeatureInput.SEED_LABEL_COL, ClusteringRun.PREDICTION_COL,
      ClusteringRun.PROBABILITY_COL);

  /** The columns kept by default, when the input has them. */
  static final List<String> DEFAULT_KEEP_COLS = List.of(ImageFeatures.ID_COL,
      ExtractCommand.PATH_COL);

  /**
   * The column names of {@code --keep-cols}.
   *
   * @param text the option's value, or null when it is not given
   * @return the names in order (empty for {@code none}), or null for the default
   * @throws UsageException for an empty name or a name given twice
   */
  static List<String> keepCols(String text) {
    if (text == null) {
      return null;
    }
    if (text.trim().equals("none")) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      String name = part.trim();
      if (name.isEmpty()) {
        throw new UsageException("--keep-cols: empty column name in '" + text + "'; give"
            + " comma-separated names, or none");
      }
      if (names.contains(name)) {
        throw new UsageException("--keep-cols: column '" + name + "' is given twice");
      }
      names.add(name);
    }
    return List.copyOf(names);
  }

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
   * @throws UsageException naming a requested column the input does not have, and its columns
   */
  static List<String> keptColumns(List<String> columns, List<String> requested, String input,
      String featuresCol, String labelCol, String seedLabelCol) {
    if (requested == null) {
      return DEFAULT_KEEP_COLS.stream().filter(c -> columns.contains(c)
          && keepable(c, featuresCol, labelCol, seedLabelCol)).toList();
    }
    for (String c : requested) {
      if (!columns.contains(c)) {
        throw new UsageException("--keep-cols: column '" + c + "' is not in '" + input
            + "', whose columns are " + String.join(", ", columns));
      }
    }
    return requested;
  }

  /** Scores the clustering and writes every output into the temporary folder; returns the metrics. */
  private Map<String, Object> write(SparkSession spark, OutputDir dir, LoadedInput in, int k,
      ClusteringRun.Result result, int partitions, String seedLabelCol, long seeded,
      List<String> keepCols, long t0) throws IOException {
    Map<String, Object> scores = in.hasLabel() ? ClusteringRun.scores(result.predictions())
        : Map.of();
    Map<String, Object> unlabelled = null;
    if (seedLabelCol != null && in.hasLabel()) {
      Dataset<Row> rest = result.predictions()
          .filter(functions.col(FeatureInput.SEED_LABEL_COL).isNull());
      unlabelled = new LinkedHashMap<>();
      long n = in.numRows() - seeded;
      unlabelled.put("rows", n);
      // Scored where the true label is known (a null label is left out, as for all rows).
      Dataset<Row> known = rest.filter(functions.col(FeatureInput.LABEL_COL).isNotNull());
      long m = known.count();
      if (m > 0) {
        unlabelled.putAll(ClusteringRun.scores(known));
        unlabelled.put("nullLabelRows", n - m);
        long correct = known.filter(functions.col(FeatureInput.LABEL_COL).cast("double")
            .equalTo(functions.col(ClusteringRun.PREDICTION_COL))).count();
        unlabelled.put("accuracy", correct / (double) m);
      }
    }
    out.printf("fitted in %.1f s; writing predictions and model%n", result.fitSeconds());

    Dataset<Row> predictions = result.predictions();
    List<String> csvColumns = new ArrayList<>(List.of(FeatureInput.ROW_COL));
    keepCols.forEach(c -> csvColumns.add(ClusteringRun.quoted(c)));
    if (in.hasLabel()) {
      csvColumns.add(FeatureInput.LABEL_COL);
    }
    if (seedLabelCol != null) {
      csvColumns.add(FeatureInput.SEED_LABEL_COL);
    }
    csvColumns.add(ClusteringRun.PREDICTION_COL);
    predictions.selectExpr(csvColumns.toArray(new String[0]))
        .repartition(1).sortWithinPartitions(FeatureInput.ROW_COL)
        .write().option("header", "true").csv(dir.path("_predictions.csv"));
    dir.keepSinglePart("_predictions.csv", "predictions.csv");
    predictions.write().parquet(dir.path("predictions"));
    result.model().write().save(dir.path("model"));

    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("command", "cluster");
    metrics.put("method", result.method());
    metrics.put("k", k);
    metrics.put("rows", in.numRows());
    metrics.put("skippedRows", in.skippedRows());
    metrics.putAll(scores);
    if (seedLabelCol != null) {
      Map<String, Object> seeds = new LinkedHashMap<>();
      seeds.put("column", seedLabelCol);
      seeds.put("rows", seeded);
      seeds.put("weight", result.params().get("seedLabelWeight"));
      metrics.put("seedLabels", seeds);
    }
    if (unlabelled != null) {
      metrics.put("unlabelled", unlabelled);
    }
    metrics.put("clusterSizes", result.clusterSizes());
    metrics.putAll(result.training());
    Map<String, Object> seconds = new LinkedHashMap<>();
    seconds.put("fit", result.fitSeconds());
    seconds.put("total", (System.nanoTime() - t0) / 1e9);
    metrics.put("seconds", seconds);
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("path", in.path());
    input.put("format", in.format());
    input.put("rows", in.numRows());
    input.put("features", in.numFeatures());
    input.put("featuresCol", in.featuresCol());
    input.put("labelCol", args.string("--label-col", null));
    input.put("keepCols", keepCols);
    input.put("partitions", partitions > 0 ? partitions : null);
    metrics.put("input", input);
    metrics.put("params", result.params());
    metrics.put("spark", ClusteringRun.sparkInfo(spark));
    dir.writeJson("metrics.json", metrics);
    return metrics;
  }

  /** A few lines for the terminal: timings, loss, cluster sizes, scores, where the output is. */
  @SuppressWarnings("unchecked")
  private void printSummary(Map<String, Object> metrics, OutputDir dir) {
    Map<String, Object> seconds = (Map<String, Object>) metrics.get("seconds");
    out.printf("%s: %d rows, k=%d, fit %.1f s, total %.1f s%n", metrics.get("method"),
        metrics.get("rows"), metrics.get("k"), seconds.get("fit"), seconds.get("total"));
    if (metrics.get("lossPerEpoch") instanceof double[] loss && loss.length > 0) {
      out.printf("  loss per epoch: %.4f (epoch 1) ... %.4f (epoch %d)%n", loss[0],
          loss[loss.length - 1], loss.length);
    }
    if (metrics.get("trainingCost") != null) {
      out.printf("  K-means cost %.4g after %s iterations%n", metrics.get("trainingCost"),
          metrics.get("iterations"));
    }
    for (String key : List.of("restartLosses", "restartCosts")) {
      if (metrics.get(key) instanceof double[] r) {
        out.printf("  %s of the %d restarts: %s; kept restart %s (the lowest)%n",
            key.equals("restartLosses") ? "final full-data loss" : "K-means cost", r.length,
            java.util.Arrays.stream(r).mapToObj(v -> String.format("%.6g", v))
                .collect(Collectors.joining(" ")), ((Number) metrics.get("chosenRestart")).intValue() + 1);
      }
    }
    out.println("  cluster sizes: " + LongStream.of((long[]) metrics.get("clusterSizes"))
        .mapToObj(Long::toString).collect(Collectors.joining(" ")));
    if (metrics.containsKey("acc")) {
      out.printf("  ACC %.4f  NMI %.4f  ARI %.4f%n", metrics.get("acc"), metrics.get("nmi"),
          metrics.get("ari"));
      if (((Number) metrics.get("nullLabelRows")).longValue() > 0) {
        out.printf("  (over the labelled rows: %s rows with a null label left out)%n",
            metrics.get("nullLabelRows"));
      }
    }
    if (metrics.get("unlabelled") instanceof Map<?, ?> u && u.containsKey("acc")) {
      out.printf("  unlabelled rows (%s): ACC %.4f  NMI %.4f  ARI %.4f  accuracy %.4f%n",
          u.get("rows"), u.get("acc"), u.get("nmi"), u.get("ari"), u.get("accuracy"));
    }
    out.printf("wrote %s: predictions.csv, predictions/, metrics.json, model/%n", dir.display());
  }
}
