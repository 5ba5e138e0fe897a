package org.ccespark.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The distributed training loop (work in progress: implemented by the core issue). */
public final class CollisionTrainer {
  private CollisionTrainer() {}

  /**
   * Trains the classifier on the vectors of {@code featuresCol}.
   *
   * @throws IllegalArgumentException naming the row for a NaN, infinite, null or wrong-length vector
   */
  public static TrainingResult fit(Dataset<Row> data, String featuresCol, TrainingConfig config) {
    throw new UnsupportedOperationException("not yet implemented");
  }
}
