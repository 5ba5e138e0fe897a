package org.ccespark.ml;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.ccespark.spark.TrainingResult;

/**
 * How a {@link CollisionClustering} fit went: the loss and EM effort per epoch, the final cluster
 * sizes, and the training data with the model's predictions. Attached to the model returned by
 * {@code fit}; not saved with the model.
 */
public class CollisionClusteringSummary implements Serializable {
  private static final long serialVersionUID = 1L;

  private final transient Dataset<Row> predictions;
  private final String featuresCol;
  private final String predictionCol;
  private final String probabilityCol;
  private final TrainingResult result;
  /** Every restart's model (the kept one included), or empty for a single fit. */
  private final List<CollisionClusteringModel> restartModels;
  /** Rows per cluster of {@link #predictions()}, counted on first use. */
  private long[] clusterSizes;

  CollisionClusteringSummary(Dataset<Row> predictions, String featuresCol, String predictionCol,
      String probabilityCol, TrainingResult result,
      List<CollisionClusteringModel> restartModels) {
    this.restartModels = List.copyOf(restartModels);
    this.predictions = predictions;
    this.featuresCol = featuresCol;
    this.predictionCol = predictionCol;
    this.probabilityCol = probabilityCol;
    this.result = result;
  }

  /**
   * The training data transformed by the fitted model. The DataFrame is lazy: it is computed when
   * an action runs on it.
   *
   * @return the training data with prediction and probability columns
   * @throws IllegalStateException if this summary was deserialized (the DataFrame is not kept)
   */
  public Dataset<Row> predictions() {
    if (predictions == null) {
      throw new IllegalStateException("predictions are not available in a deserialized summary");
    }
    return predictions;
  }

  /** @return name of the features column used for training */
  public String featuresCol() {
    return featuresCol;
  }

  /** @return name of the prediction column of {@link #predictions()} */
  public String predictionCol() {
    return predictionCol;
  }

  /** @return name of the probability column of {@link #predictions()} */
  public String probabilityCol() {
    return probabilityCol;
  }

  /** @return number of clusters K */
  public int k() {
    return result.k();
  }

  /**
   * @return the final full-data loss of each restart ({@code numRestarts} entries; NaN for a
   *     single fit, which is not scored)
   */
  public double[] restartLosses() {
    return result.restartLosses().clone();
  }

  /** @return the index of the restart kept (0 without restarts) */
  public int chosenRestart() {
    return result.chosenRestart();
  }

  /**
   * @return every restart's model, in restart order (the kept one is {@link #chosenRestart()}):
   *     {@code numRestarts} models with restarts, none for a single fit; without summaries, with
   *     the estimator's params
   */
  public List<CollisionClusteringModel> restartModels() {
    return restartModels;
  }

  /** @return number of epochs run (the length of {@link #lossPerEpoch()}) */
  public int numIter() {
    return result.lossPerEpoch().length;
  }

  /** @return mean loss L_CCE+ (eq. 11) over the pseudo-label solves of each epoch; a copy */
  public double[] lossPerEpoch() {
    return result.lossPerEpoch().clone();
  }

  /** @return mean EM iterations per pseudo-label solve, per epoch; a copy */
  public double[] emIterationsPerEpoch() {
    return result.emIterationsPerEpoch().clone();
  }

  /**
   * Rows per cluster, counted from the prediction column of {@link #predictions()} (one Spark job,
   * on first use): the sizes always agree with the predictions, ties included (a prediction is
   * the most probable cluster, the lowest index among equal probabilities). Without a prediction
   * column, or in a summary deserialized before this was called, the training loop's count of
   * the same clusters is returned.
   *
   * @return number of training rows predicted in cluster k, for k in [0, K); a copy
   */
  public synchronized long[] clusterSizes() {
    if (clusterSizes == null) {
      if (predictions == null || predictionCol.isEmpty()) {
        clusterSizes = result.clusterSizes();
      } else {
        long[] counts = new long[result.k()];
        for (Row r : predictions.groupBy(functions.col(predictionCol)).count().collectAsList()) {
          counts[((Number) r.get(0)).intValue()] = r.getLong(1);
        }
        clusterSizes = counts;
      }
    }
    return clusterSizes.clone();
  }

  /** @return number of training rows */
  public long numRows() {
    return result.numRows();
  }

  /** @return wall-clock seconds of the training loop */
  public double trainingSeconds() {
    return result.seconds();
  }
}
