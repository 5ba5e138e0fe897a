package org.ccespark.experiment;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A dataset of the experiment as loaded: its rows ({@code row}, integer {@code label}, features),
 * persisted, their count and the number of clusters.
 */
public record LoadedData(String name, Dataset<Row> rows, long count, int k, String featuresCol) {
  /** The same dataset with other rows (a sample, or with seed labels or targets added). */
  public LoadedData withRows(Dataset<Row> other, long otherCount) {
    return new LoadedData(name, other, otherCount, k, featuresCol);
  }

  /** Unpersists the rows. */
  public void release() {
    rows.unpersist(false);
  }
}
