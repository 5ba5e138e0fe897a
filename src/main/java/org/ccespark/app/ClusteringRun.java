package org.ccespark.app;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.ccespark.app.CommandLine.Option;
import org.ccespark.app.CommandLine.Parsed;
import org.ccespark.app.CommandLine.UsageException;
import org.ccespark.data.FeatureInput;
import org.ccespark.ml.ClusteringMetricsEvaluator;
import org.ccespark.ml.CollisionClustering;
import org.ccespark.ml.CollisionClusteringModel;
import org.ccespark.ml.CollisionClusteringSummary;
import org.ccespark.selflabel.Method;

/**
 * One clustering of a {@code row}/{@code label}/features Dataset with CCE
 * ({@link CollisionClustering}) or MLlib K-means, shared by the {@code cluster} and {@code demo}
 * commands, and the command-line options of the CCE params.
 */
final class ClusteringRun {
  private ClusteringRun() {}

  /** Values of {@code --method}: the estimator's methods, then MLlib K-means. */
  static final List<String> METHODS = methods();

  private static List<String> methods() {
    List<String> out = new ArrayList<>(CollisionClustering.METHODS);
    out.add("kmeans");
    return List.copyOf(out);
  }

  /** Name of the prediction column of {@link Result#predictions()}. */
  static final String PREDICTION_COL = "prediction";
  /** Name of the probability column of {@link Result#predictions()} (CCE only). */
  static final String PROBABILITY_COL = "probability";

  /** Command-line option of each CCE param that the command line sets, in help order. */
  private static final Map<String, String> CCE_OPTIONS = new LinkedHashMap<>();

  static {
    CCE_OPTIONS.put("--k", "k");
    CCE_OPTIONS.put("--lambda", "lambda");
    CCE_OPTIONS.put("--epochs", "maxIter");
    CCE_OPTIONS.put("--batch-size", "batchSize");
    CCE_OPTIONS.put("--step-size", "stepSize");
    CCE_OPTIONS.put("--weight-decay", "weightDecay");
    CCE_OPTIONS.put("--optimizer", "optimizer");
    CCE_OPTIONS.put("--momentum", "momentum");
    CCE_OPTIONS.put("--em-max-iter", "emMaxIter");
    CCE_OPTIONS.put("--em-tol", "emTol");
    CCE_OPTIONS.put("--solver", "solver");
    CCE_OPTIONS.put("--init", "init");
    CCE_OPTIONS.put("--restarts", "numRestarts");
    CCE_OPTIONS.put("--temperature", "temperature");
    CCE_OPTIONS.put("--seed", "seed");
    CCE_OPTIONS.put("--schedule", "schedule");
    CCE_OPTIONS.put("--pgd-step-size", "pgdStepSize");
    CCE_OPTIONS.put("--seed-label-weight", "seedLabelWeight");
    CCE_OPTIONS.put("--standardization", "standardization");
  }

  /** @return the CCE options ({@code --k}, {@code --lambda}, ...) in help order */
  static List<String> cceOptionNames() {
    return List.copyOf(CCE_OPTIONS.keySet());
  }

  /**
   * How a clustering went.
   *
   * @param method {@code cce} or {@code kmeans}
   * @param predictions {@code row}, the kept columns, {@code label} and {@code seedLabel} (if the
   *     input has them), {@code prediction} and, for CCE, {@code probability}: every column of the
   *     data but the features; persisted: call {@link #release()} when done
   * @param model the fitted model, to save
   * @param clusterSizes rows per cluster
   * @param fitSeconds wall-clock seconds of the estimator's {@code fit}
   * @param params every param of the estimator with its value
   * @param training what the method reports about its training (loss per epoch and so on)
   */
  record Result(String method, Dataset<Row> predictions, MLWritable model, long[] clusterSizes,
      double fitSeconds, Map<String, Object> params, Map<String, Object> training) {
    /** Unpersists {@link #predictions()}. */
    void release() {
      predictions.unpersist(false);
    }
  }

  /**
   * Help entries of the given CCE options, with meaning and default read from the estimator's
   * params.
   *
   * @param names options among {@code --k, --lambda, --epochs, ...}
   * @param required those of them that are required
   */
  static List<Option> cceOptions(List<String> names, List<String> required) {
    CollisionClustering defaults = new CollisionClustering();
    List<Option> out = new ArrayList<>();
    for (String name : names) {
      Param<Object> param = param(defaults, name);
      String metavar = metavar(name, param);
      String help = param.doc();
      if (name.equals("--seed")) {
        help += "; K-means uses the same seed";
      }
      String defaultText = name.equals("--lambda") ? lambdaDefaults()
          : show(defaults.getDefault(param).get());
      out.add(required.contains(name)
          ? Option.required(name, metavar, help)
          : Option.value(name, metavar, defaultText, help));
    }
    return out;
  }

  /** λ's default per method, e.g. {@code 100 for cce, cce-pgd; 25 for sela; ...}. */
  static String lambdaDefaults() {
    Map<Double, List<String>> byValue = new LinkedHashMap<>();
    for (String m : CollisionClustering.METHODS) {
      byValue.computeIfAbsent(Method.of(m).defaultLambda(), v -> new ArrayList<>()).add(m);
    }
    List<String> parts = new ArrayList<>();
    byValue.forEach((v, ms) -> parts.add(show(v) + " for " + String.join(", ", ms)));
    return String.join("; ", parts);
  }

  /**
   * A CCE estimator with the given options applied; options not given keep the estimator's
   * defaults.
   *
   * @throws UsageException naming the option for a malformed or invalid value
   */
  static CollisionClustering configure(Parsed args, List<String> names) {
    CollisionClustering estimator = new CollisionClustering();
    for (String name : names) {
      if (args.has(name)) {
        set(estimator, name, args.required(name));
      }
    }
    return estimator;
  }

  /** Sets one CCE param from its option's text, with a message naming the option on failure. */
  static void set(CollisionClustering estimator, String name, String raw) {
    Param<Object> param = param(estimator, name);
    String text = raw.trim();
    Object value;
    try {
      if (param instanceof IntParam) {
        value = Integer.parseInt(text);
      } else if (param instanceof LongParam) {
        value = Long.parseLong(text);
      } else if (param instanceof DoubleParam) {
        value = Double.parseDouble(text);
      } else if (param instanceof BooleanParam) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (!lower.equals("true") && !lower.equals("false")) {
          throw new UsageException(name + " expects true or false, got '" + raw + "'");
        }
        value = Boolean.parseBoolean(lower);
      } else if (param.name().endsWith("Col")) {
        value = text; // a column name keeps its case
      } else {
        value = text.toLowerCase(Locale.ROOT);
      }
    } catch (NumberFormatException e) {
      if (!(param instanceof DoubleParam) && text.matches("[+-]?\\d+")) {
        throw new UsageException(name + " must be an integer of at most "
            + (param instanceof LongParam ? Long.MAX_VALUE : Integer.MAX_VALUE) + ", got " + text);
      }
      throw new UsageException(name + " expects " + (param instanceof DoubleParam ? "a number"
          : "an integer") + ", got '" + raw + "'");
    }
    try {
      estimator.set(param, value);
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid value '" + raw + "' for " + name + ": " + param.doc());
    }
  }

  @SuppressWarnings("unchecked")
  private static Param<Object> param(CollisionClustering estimator, String option) {
    String paramName = CCE_OPTIONS.get(option);
    if (paramName == null) {
      throw new IllegalStateException("no CCE param for " + option);
    }
    return (Param<Object>) (Param<?>) estimator.getParam(paramName);
  }

  private static String metavar(String option, Param<?> param) {
    if (option.equals("--k")) {
      return "K";
    }
    if (option.equals("--optimizer")) {
      return String.join("|", CollisionClustering.OPTIMIZERS);
    }
    if (option.equals("--schedule")) {
      return String.join("|", CollisionClustering.SCHEDULES);
    }
    if (param instanceof BooleanParam) {
      return "true|false";
    }
    if (param.name().endsWith("Col")) {
      return "NAME";
    }
    return param instanceof DoubleParam ? "X" : "N";
  }

  /** A param value as shown in help: integral doubles without ".0", 1.0E-6 as 1e-6. */
  static String show(Object value) {
    if (value instanceof Double d) {
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return Long.toString(d.longValue());
      }
      return d.toString().replace(".0E", "e").replace('E', 'e');
    }
    return String.valueOf(value);
  }

  // ------------------------------------------------------------------------------- fitting

  /**
   * Fits the estimator (CCE or one of its baseline methods, {@link CollisionClustering#method()})
   * on {@code data} and returns its predictions on the same rows.
   *
   * @param estimator the configured estimator; its features column is set to {@code featuresCol}
   */
  static Result cce(CollisionClustering estimator, Dataset<Row> data, String featuresCol) {
    estimator.setFeaturesCol(featuresCol).setPredictionCol(PREDICTION_COL)
        .setProbabilityCol(PROBABILITY_COL);
    long t0 = System.nanoTime();
    CollisionClusteringModel model = estimator.fit(data);
    double seconds = (System.nanoTime() - t0) / 1e9;
    CollisionClusteringSummary summary = model.summary();
    Map<String, Object> training = new LinkedHashMap<>();
    training.put("lossPerEpoch", summary.lossPerEpoch());
    training.put("emIterationsPerEpoch", summary.emIterationsPerEpoch());
    training.put("trainingSeconds", summary.trainingSeconds());
    if (estimator.getNumRestarts() > 1) {
      training.put("restartLosses", summary.restartLosses());
      training.put("chosenRestart", summary.chosenRestart());
    }
    return new Result(estimator.getMethod(), outputColumns(summary.predictions(), featuresCol,
        true), model, summary.clusterSizes(), seconds, params(estimator), training);
  }

  /** Fits MLlib K-means (its defaults, with the given k and seed) on {@code data}. */
  static Result kmeans(int k, long seed, Dataset<Row> data, String featuresCol) {
    return kmeans(k, seed, 1, data, featuresCol);
  }

  /**
   * Fits MLlib K-means {@code restarts} times (seeds {@code seed, seed+1, ...}) and keeps the
   * model with the lowest cost (sum of squared distances), as CCE's {@code numRestarts}.
   */
  static Result kmeans(int k, long seed, int restarts, Dataset<Row> data, String featuresCol) {
    KMeans estimator = null;
    KMeansModel model = null;
    double[] costs = new double[restarts];
    long t0 = System.nanoTime();
    for (int r = 0; r < restarts; r++) {
      KMeans e = new KMeans().setK(k).setSeed(seed + r).setFeaturesCol(featuresCol)
          .setPredictionCol(PREDICTION_COL);
      KMeansModel m = e.fit(data);
      costs[r] = m.summary().trainingCost();
      if (model == null || costs[r] < model.summary().trainingCost()) {
        model = m;
        estimator = e;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> training = new LinkedHashMap<>();
    training.put("iterations", model.summary().numIter());
    training.put("trainingCost", model.summary().trainingCost());
    if (restarts > 1) {
      training.put("restartCosts", costs);
      training.put("chosenRestart", java.util.Arrays.asList(
          java.util.Arrays.stream(costs).boxed().toArray()).indexOf(model.summary().trainingCost()));
    }
    return new Result("kmeans", outputColumns(model.summary().predictions(), featuresCol,
        false), model,
        model.summary().clusterSizes(), seconds, params(estimator), training);
  }

  /**
   * Every column of the clustered data but the features, then the prediction and (CCE) the
   * probability: {@code row}, the kept columns (such as an image's {@code id} and {@code path}),
   * {@code label} and {@code seedLabel} if present; persisted.
   */
  private static Dataset<Row> outputColumns(Dataset<Row> transformed, String featuresCol,
      boolean probability) {
    List<String> last = List.of(FeatureInput.LABEL_COL, FeatureInput.SEED_LABEL_COL,
        PREDICTION_COL, PROBABILITY_COL);
    List<Column> cols = new ArrayList<>();
    cols.add(transformed.col(FeatureInput.ROW_COL));
    for (String c : transformed.columns()) {
      if (!c.equals(FeatureInput.ROW_COL) && !c.equals(featuresCol) && !last.contains(c)) {
        cols.add(transformed.col(quoted(c)));
      }
    }
    for (String c : last) {
      if ((probability || !c.equals(PROBABILITY_COL))
          && Arrays.asList(transformed.columns()).contains(c)) {
        cols.add(transformed.col(c));
      }
    }
    return transformed.select(cols.toArray(new Column[0])).persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * A column name quoted for Spark's column resolution, so that a dot or a backtick in it is
   * taken literally.
   */
  static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /**
   * Every param of {@code stage} that has a value, by name, in the stage's order (for the
   * estimator, {@code lambda}'s default is the method's).
   */
  private static Map<String, Object> params(Params stage) {
    Map<String, Object> out = new LinkedHashMap<>();
    org.apache.spark.ml.param.ParamMap values = stage.extractParamMap();
    for (Param<?> p : stage.params()) {
      if (values.contains(p)) {
        out.put(p.name(), values.apply(p));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------- evaluation

  /**
   * ACC, NMI and ARI of the predictions against the {@code label} column, over the rows whose label
   * is not null, and {@code nullLabelRows}, the number of rows left out for a null label. Every
   * distinct label is a class of the contingency table, however many there are.
   *
   * @throws IllegalArgumentException if every label is null
   */
  static Map<String, Object> scores(Dataset<Row> predictions) {
    Dataset<Row> labelled = predictions.where(predictions.col(FeatureInput.LABEL_COL).isNotNull());
    long total = predictions.count();
    long unlabelled = total - labelled.count();
    if (unlabelled == total) {
      throw new IllegalArgumentException("every one of the " + total + " labels of --label-col is"
          + " null, so ACC, NMI and ARI cannot be computed; leave out --label-col");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (String metric : ClusteringMetricsEvaluator.METRICS) {
      out.put(metric, new ClusteringMetricsEvaluator().setLabelCol(FeatureInput.LABEL_COL)
          .setPredictionCol(PREDICTION_COL).setMetricName(metric).evaluate(labelled));
    }
    out.put("nullLabelRows", unlabelled);
    return out;
  }

  /** Spark version, master, application name and id, for metrics.json. */
  static Map<String, Object> sparkInfo(SparkSession spark) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("version", spark.version());
    out.put("master", spark.sparkContext().master());
    out.put("appName", spark.sparkContext().appName());
    out.put("applicationId", spark.sparkContext().applicationId());
    out.put("defaultParallelism", spark.sparkContext().defaultParallelism());
    return out;
  }
}
