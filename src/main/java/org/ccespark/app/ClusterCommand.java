package org.ccespark.app;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.ccespark.app.Help.ShowDefault;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.data.FeatureInput;
import org.ccespark.ml.CollisionClustering;
import org.ccespark.pipeline.ClusterMetrics;
import org.ccespark.pipeline.ClusterPipeline;
import org.ccespark.pipeline.Clustering;
import org.ccespark.selflabel.Method;
import org.ccespark.selflabel.Schedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import org.ccespark.output.OutputDir;

/**
 * {@code cluster}: reads a feature file, clusters its rows with CCE or K-means, and writes
 * {@code predictions.csv}, {@code predictions/}, {@code metrics.json} and {@code model/} into the
 * output folder, which appears only when all of them are written ({@link ClusterPipeline}).
 */
@Command(name = "cluster",
    customSynopsis = "--input PATH --k K --output DIR [options]",
    header = "cluster the rows of a feature file (CCE or K-means): predictions, metrics, model",
    description = ClusterCommand.DESCRIPTION)
final class ClusterCommand implements Cli.Command {
  @Option(names = "--input", paramLabel = "PATH", required = true,
      description = "input file, folder of part files, or Hadoop glob")
  String input;

  @Option(names = "--output", paramLabel = "DIR", required = true,
      description = "output folder to create")
  String output;

  @Option(names = "--format", paramLabel = "auto|parquet|csv|libsvm", defaultValue = "auto",
      description = "input format; auto goes by extension: .parquet or a Parquet folder, .csv,"
          + " .libsvm/.svm/.txt (a .gz or other compression suffix is ignored)")
  String format;

  @Option(names = "--label-col", paramLabel = "NAME",
      description = "column of true labels, kept as 'label' and used for ACC/NMI/ARI (rows with a"
          + " null label are left out of them and counted); for LibSVM any name keeps the file's"
          + " labels. Not used for training")
  @ShowDefault("none")
  String labelCol;

  @Option(names = "--seed-label-col", paramLabel = "NAME",
      description = "semi-supervised mode: column of seed labels, a class index in [0, K) or null"
          + " for an unlabelled row (Parquet or CSV; not a feature); kept as 'seedLabel' in the"
          + " outputs. Not with --method kmeans")
  @ShowDefault("none")
  String seedLabelCol;

  @Option(names = "--keep-cols", paramLabel = "NAME,...|none",
      description = "columns carried unchanged into predictions.csv and predictions/, such as the"
          + " image id and path extract writes, so each row's cluster can be traced back; for CSV"
          + " they are not features. By default id and path when the input has them (other than"
          + " the label, seed-label or features column); none keeps no column")
  @ShowDefault("id,path (those the input has)")
  String keepCols;

  @Option(names = "--features-col", paramLabel = "NAME",
      defaultValue = FeatureInput.DEFAULT_FEATURES_COL,
      description = "Parquet: the column of feature vectors or numeric arrays. CSV: every column"
          + " other than the label column is a feature, in order (each value must be a number),"
          + " and this only names the assembled vector")
  String featuresCol;

  @Option(names = "--on-invalid", paramLabel = "error|skip", defaultValue = "error",
      description = "a row with a null, NaN, infinite or non-numeric feature value (a malformed"
          + " CSV line) or a vector of another length than the first valid row's: error fails"
          + " naming file, row and column; skip leaves such rows out (they keep their row index"
          + " gaps) and reports their number as skippedRows in metrics.json")
  String onInvalid;

  @Option(names = "--method", paramLabel = "${bundle:list.methods}", defaultValue = "cce",
      description = "cce: collision cross-entropy clustering (EM on eq. 11); cce-pgd: PGD on eq."
          + " 10; sela, miadm, migd: the paper's baselines on the same classifier; kmeans: Spark"
          + " MLlib KMeans with the same k and seed")
  String method;

  @Option(names = "--partitions", paramLabel = "N", converter = OptionTypes.Min1.class,
      description = "repartition the input into N partitions before training (round-robin; each"
          + " partition keeps its rows in input order, so the result does not depend on where"
          + " the tasks run)")
  @ShowDefault("as read")
  Integer partitions;

  @Option(names = "--overwrite",
      description = "replace DIR if it exists (only once the new output is complete)")
  boolean overwrite;

  @Option(names = "--checkpoint-dir", paramLabel = "CDIR",
      description = "write a checkpoint into CDIR after every epoch (W, b, optimizer state, loss"
          + " so far, settings; fulldata: the pseudo-labels); must be missing or empty unless"
          + " --resume. Not with --method kmeans")
  @ShowDefault("none")
  String checkpointDir;

  @Option(names = "--resume",
      description = "continue the run whose checkpoint is in --checkpoint-dir from its last"
          + " finished epoch (from the first if there is none); the data, --partitions and every"
          + " training option must be the same, else it is refused naming the difference. The"
          + " result equals that of an uninterrupted run")
  boolean resume;

  private CceOptions cce;

  @Override
  public void addOptions(CommandSpec spec) {
    cce = CceOptions.addTo(spec, CceOptions.names(), List.of("--k"), "--method");
  }

  @Override
  public void run(PrintStream out) {
    long t0 = System.nanoTime();
    // Everything the command line alone decides is checked before Spark starts.
    String format = OptionTypes.choice("--format", this.format, List.of("auto", "parquet", "csv",
        "libsvm"));
    try {
      FeatureInput.checkFeaturesColName(featuresCol);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--features-col: " + e.getMessage());
    }
    boolean skipInvalid = OptionTypes.choice("--on-invalid", onInvalid, List.of("error", "skip"))
        .equals("skip");
    String method = OptionTypes.choice("--method", this.method, Clustering.METHODS);
    CollisionClustering estimator = estimator(method);
    List<String> keep = keepCols(keepCols);
    try {
      ClusterPipeline.checkKeepable(keep, featuresCol, labelCol, seedLabelCol);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }

    SparkSession spark = Main.session();
    try (OutputDir dir = OutputDir.open(spark.sparkContext().hadoopConfiguration(), output,
        overwrite, OutputDir.Other.input("--input", input),
        OutputDir.Other.folder("--checkpoint-dir", checkpointDir))) {
      ClusterPipeline.checkCheckpoint(spark, estimator);
      List<String> columns = FeatureInput.columns(spark, input, format);
      try {
        keep = ClusterPipeline.keptColumns(columns, keep, input, featuresCol, labelCol,
            seedLabelCol);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
      ClusterPipeline.Settings settings = new ClusterPipeline.Settings(input, format,
          featuresCol, labelCol, seedLabelCol, skipInvalid, keep,
          partitions == null ? 0 : partitions, method.equals(Clustering.KMEANS), estimator);
      ClusterMetrics metrics = ClusterPipeline.run(spark, settings, dir.sink(), out::println, t0);
      dir.commit();
      out.print(ClusterPipeline.summary(metrics));
      out.printf("wrote %s: predictions.csv, predictions/, metrics.json, model/%n",
          dir.display());
    }
  }

  /** The estimator of the CCE options, checked against the other options. */
  private CollisionClustering estimator(String method) {
    CollisionClustering estimator = cce.estimator();
    boolean kmeans = method.equals(Clustering.KMEANS);
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
    if (resume && checkpointDir == null) {
      throw new UsageException("--resume needs --checkpoint-dir (the folder of the run to continue)");
    }
    if (checkpointDir != null) {
      if (kmeans) {
        throw new UsageException("--checkpoint-dir applies to the CCE methods, not --method kmeans");
      }
      estimator.setCheckpointDir(checkpointDir).setResume(resume);
    }
    return estimator;
  }

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

  /** The help's description of the command (an annotation holds constants only). */
  static final String DESCRIPTION = "Reads PATH (Parquet, CSV with a header row, or LibSVM), clusters its rows into K clusters"
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
          + " options are checked but not used.";
}
