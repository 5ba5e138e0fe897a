package org.ccespark.ml;

import com.esotericsoftware.kryo.DefaultSerializer;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.ccespark.eval.ClusteringMetrics;
import org.ccespark.eval.ContingencyTable;
import org.ccespark.spark.KryoRegistration;

/**
 * Spark ML {@link Evaluator} that scores a clustering against true labels with one of the external
 * metrics of {@link ClusteringMetrics}:
 * <ul>
 *   <li>{@code acc}: clustering accuracy under the best one-to-one mapping of clusters to labels,
 *       found with the Hungarian method (Kuhn 1955);</li>
 *   <li>{@code nmi}: normalised mutual information with the arithmetic-mean normalisation
 *       {@code I(U;V) / ((H(U) + H(V)) / 2)} (Vinh, Epps &amp; Bailey 2010; scikit-learn's default);</li>
 *   <li>{@code ari}: adjusted Rand index (Hubert &amp; Arabie 1985).</li>
 * </ul>
 * All three are larger-is-better and lie in [0, 1], except ARI, which can be slightly negative.
 *
 * <p>{@link #evaluate(Dataset)} does not bring rows to the driver: Spark groups the dataset by
 * (label, prediction) and counts, and only those distinct pairs with their counts are collected. The
 * driver maps label and prediction values to indices (in sorted order, so results are reproducible),
 * builds a {@link ContingencyTable} and computes the metric. Both columns may be numeric or string;
 * a null in either is an error. The contingency table is dense, {@code #labels × #clusters}.
 *
 * <p>Persistence follows {@code DefaultParamsWritable}/{@code DefaultParamsReadable}:
 * {@code evaluator.save(path)} and {@link #load(String)}.
 */
@DefaultSerializer(KryoRegistration.ViaJavaSerialization.class)
public final class ClusteringMetricsEvaluator extends Evaluator implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  /** The values {@link #metricName()} accepts. */
  public static final String[] METRICS = {"acc", "nmi", "ari"};

  private final String uid;
  private final Param<String> labelCol;
  private final Param<String> predictionCol;
  private final Param<String> metricName;

  /** An evaluator with a random uid and the defaults label, prediction and acc. */
  public ClusteringMetricsEvaluator() {
    this(Identifiable.randomUID("clusteringMetricsEval"));
  }

  /** An evaluator with the given uid; this constructor is the one that {@link #load} uses. */
  public ClusteringMetricsEvaluator(String uid) {
    this.uid = uid; // before the params, whose constructor reads uid()
    this.labelCol = new Param<>(this, "labelCol", "label column name (numeric or string)");
    this.predictionCol = new Param<>(this, "predictionCol",
        "prediction (cluster) column name (numeric or string)");
    this.metricName = new Param<>(this, "metricName",
        "metric name in evaluation (acc|nmi|ari)", ParamValidators.inArray(METRICS));
    setDefault(labelCol, "label");
    setDefault(predictionCol, "prediction");
    setDefault(metricName, "acc");
  }

  @Override
  public String uid() {
    return uid;
  }

  /** Param for the label column name, default {@code "label"}. */
  public Param<String> labelCol() {
    return labelCol;
  }

  /** Param for the prediction (cluster id) column name, default {@code "prediction"}. */
  public Param<String> predictionCol() {
    return predictionCol;
  }

  /** Param for the metric: {@code acc} (default), {@code nmi} or {@code ari}. */
  public Param<String> metricName() {
    return metricName;
  }

  /** The label column name. */
  public String getLabelCol() {
    return getOrDefault(labelCol);
  }

  /** The prediction column name. */
  public String getPredictionCol() {
    return getOrDefault(predictionCol);
  }

  /** The metric name: acc, nmi or ari. */
  public String getMetricName() {
    return getOrDefault(metricName);
  }

  /** Sets the label column name. */
  public ClusteringMetricsEvaluator setLabelCol(String value) {
    set(labelCol, value);
    return this;
  }

  /** Sets the prediction column name. */
  public ClusteringMetricsEvaluator setPredictionCol(String value) {
    set(predictionCol, value);
    return this;
  }

  /**
   * Sets the metric.
   *
   * @throws IllegalArgumentException if the value is not acc, nmi or ari
   */
  public ClusteringMetricsEvaluator setMetricName(String value) {
    set(metricName, value);
    return this;
  }

  /**
   * The chosen metric of the clustering in the prediction column against the labels in the label
   * column. Runs one Spark aggregation; collects one row per distinct (label, prediction) pair.
   *
   * @throws IllegalArgumentException if a column is missing or of an unsupported type, holds a null,
   *     or the dataset is empty
   */
  @Override
  public double evaluate(Dataset<?> dataset) {
    String label = getLabelCol();
    String prediction = getPredictionCol();
    checkColumnType(dataset, label);
    checkColumnType(dataset, prediction);

    List<Row> groups = dataset
        .groupBy(col(label).as("label"), col(prediction).as("prediction"))
        .agg(count(lit(1)).as("n"))
        .collectAsList();
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("cannot evaluate a clustering of an empty dataset");
    }
    Map<Object, Integer> labelIndex = new TreeMap<>();
    Map<Object, Integer> clusterIndex = new TreeMap<>();
    for (Row row : groups) {
      if (row.isNullAt(0)) {
        throw new IllegalArgumentException("label column '" + label + "' contains null values");
      }
      if (row.isNullAt(1)) {
        throw new IllegalArgumentException("prediction column '" + prediction + "' contains null values");
      }
      labelIndex.put(row.get(0), 0);
      clusterIndex.put(row.get(1), 0);
    }
    numberInOrder(labelIndex);
    numberInOrder(clusterIndex);

    int size = groups.size();
    int[] labels = new int[size];
    int[] clusters = new int[size];
    long[] counts = new long[size];
    for (int t = 0; t < size; t++) {
      Row row = groups.get(t);
      labels[t] = labelIndex.get(row.get(0));
      clusters[t] = clusterIndex.get(row.get(1));
      counts[t] = row.getLong(2);
    }
    ContingencyTable table = ContingencyTable.fromTriples(
        labelIndex.size(), clusterIndex.size(), labels, clusters, counts);
    return metric(getMetricName(), table);
  }

  /** Computes the named metric (acc, nmi or ari) of a contingency table. */
  static double metric(String name, ContingencyTable table) {
    switch (name) {
      case "acc":
        return ClusteringMetrics.accuracy(table);
      case "nmi":
        return ClusteringMetrics.nmi(table);
      case "ari":
        return ClusteringMetrics.ari(table);
      default:
        throw new IllegalArgumentException("unknown metric " + name);
    }
  }

  /** True: every metric of this evaluator is larger for a better clustering. */
  @Override
  public boolean isLargerBetter() {
    return true;
  }

  @Override
  public ClusteringMetricsEvaluator copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public String toString() {
    return "ClusteringMetricsEvaluator: uid=" + uid + ", metricName=" + getMetricName();
  }

  /** The reader for evaluators saved with {@code save}, as {@code DefaultParamsReadable.read}. */
  public static MLReader<ClusteringMetricsEvaluator> read() {
    return new DefaultParamsReader<>();
  }

  /** Loads an evaluator saved with {@code save(path)}. */
  public static ClusteringMetricsEvaluator load(String path) {
    return read().load(path);
  }

  /** Resolves the column as Spark would (so a missing one fails naming it) and checks its type. */
  private static void checkColumnType(Dataset<?> dataset, String name) {
    DataType type = dataset.select(col(name)).schema().apply(0).dataType();
    if (!(type instanceof NumericType) && !(type instanceof StringType)) {
      throw new IllegalArgumentException(
          "column '" + name + "' must be numeric or string but is " + type.simpleString());
    }
  }

  /** Replaces the values of a sorted map by 0, 1, 2, ... in key order. */
  private static void numberInOrder(Map<Object, Integer> index) {
    int next = 0;
    for (Map.Entry<Object, Integer> e : index.entrySet()) {
      e.setValue(next++);
    }
  }
}
