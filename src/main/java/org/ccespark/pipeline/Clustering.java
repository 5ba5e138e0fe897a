package org.ccespark.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.ccespark.data.FeatureInput;
import org.ccespark.ml.CollisionClustering;
import org.ccespark.ml.CollisionClusteringModel;
import org.ccespark.ml.CollisionClusteringSummary;

/**
 * The fit and predict steps: one clustering of a {@code row}/{@code label}/features Dataset with
 * CCE ({@link CollisionClustering}, any of its methods) or MLlib K-means, and its predictions on the
 * same rows.
 */
public final class Clustering {
  private Clustering() {}

  /** The name of MLlib K-means among the methods. */
  public static final String KMEANS = "kmeans";

  /** The methods: the estimator's, then MLlib K-means. */
  public static final List<String> METHODS = methods();

  private static List<String> methods() {
    List<String> out = new ArrayList<>(CollisionClustering.METHODS);
    out.add(KMEANS);
    return List.copyOf(out);
  }

  /** Name of the prediction column of {@link FittedClustering#predictions()}. */
  public static final String PREDICTION_COL = "prediction";
  /** Name of the probability column of {@link FittedClustering#predictions()} (CCE only). */
  public static final String PROBABILITY_COL = "probability";

  /**
   * Fits the estimator (CCE or one of its baseline methods, {@link CollisionClustering#getMethod()})
   * on {@code data} and returns its predictions on the same rows.
   *
   * @param estimator the configured estimator; its features column is set to {@code featuresCol}
   */
  public static FittedClustering cce(CollisionClustering estimator, Dataset<Row> data,
      String featuresCol) {
    estimator.setFeaturesCol(featuresCol).setPredictionCol(PREDICTION_COL)
        .setProbabilityCol(PROBABILITY_COL);
    long t0 = System.nanoTime();
    CollisionClusteringModel model = estimator.fit(data);
    double seconds = (System.nanoTime() - t0) / 1e9;
    CollisionClusteringSummary summary = model.summary();
    Training training = Training.cce(summary.lossPerEpoch(), summary.emIterationsPerEpoch(),
        summary.trainingSeconds());
    if (estimator.getNumRestarts() > 1) {
      training = training.withRestartLosses(summary.restartLosses(), summary.chosenRestart());
    }
    return new FittedClustering(estimator.getMethod(), outputColumns(summary.predictions(),
        featuresCol, true), model, summary.clusterSizes(), seconds, params(estimator), training);
  }

  /** Fits MLlib K-means (its defaults, with the given k and seed) on {@code data}. */
  public static FittedClustering kmeans(int k, long seed, Dataset<Row> data, String featuresCol) {
    return kmeans(k, seed, 1, data, featuresCol);
  }

  /**
   * Fits MLlib K-means {@code restarts} times (seeds {@code seed, seed+1, ...}) and keeps the
   * model with the lowest cost (sum of squared distances), as CCE's {@code numRestarts}.
   */
  public static FittedClustering kmeans(int k, long seed, int restarts, Dataset<Row> data,
      String featuresCol) {
    KMeans estimator = null;
    KMeansModel model = null;
    int chosen = 0;
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
        chosen = r;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Training training = Training.kmeans(model.summary().numIter(),
        model.summary().trainingCost());
    if (restarts > 1) {
      training = training.withRestartCosts(costs, chosen);
    }
    return new FittedClustering(KMEANS, outputColumns(model.summary().predictions(), featuresCol,
        false), model, model.summary().clusterSizes(), seconds, params(estimator), training);
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
  public static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /**
   * Every param of {@code stage} that has a value, by name, in the stage's order (for the
   * estimator, {@code lambda}'s default is the method's).
   */
  public static Map<String, Object> params(Params stage) {
    Map<String, Object> out = new LinkedHashMap<>();
    ParamMap values = stage.extractParamMap();
    for (Param<?> p : stage.params()) {
      if (values.contains(p)) {
        out.put(p.name(), values.apply(p));
      }
    }
    return out;
  }
}
