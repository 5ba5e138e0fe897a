package org.ccespark.pipeline;

import java.util.Map;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How a clustering went.
 *
 * @param method {@code cce}, one of its baseline methods, or {@code kmeans}
 * @param predictions {@code row}, the kept columns, {@code label} and {@code seedLabel} (if the
 *     input has them), {@code prediction} and, for CCE, {@code probability}: every column of the
 *     data but the features; persisted: call {@link #release()} when done
 * @param model the fitted model, to save
 * @param clusterSizes rows per cluster
 * @param fitSeconds wall-clock seconds of the estimator's {@code fit}
 * @param params every param of the estimator with its value
 * @param training what the method reports about its training (loss per epoch and so on)
 */
public record FittedClustering(String method, Dataset<Row> predictions, MLWritable model,
    long[] clusterSizes, double fitSeconds, Map<String, Object> params, Training training) {
  /** Unpersists {@link #predictions()}. */
  public void release() {
    predictions.unpersist(false);
  }
}
