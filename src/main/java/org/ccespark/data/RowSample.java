package org.ccespark.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * A seeded random sample of exactly {@code n} rows of a {@code row}-indexed Dataset
 * ({@link FeatureInput#ROW_COL}): the row indices are collected to the driver, shuffled with
 * {@code java.util.Random(seed)} and the first {@code n} kept, so the same seed keeps the same
 * rows whatever the partitioning. The kept rows stay in their input order within each partition.
 *
 * <pre>{@code
 * Dataset<Row> sample = RowSample.of(rows, 1000, 42L);   // persisted: unpersist when done
 * }</pre>
 */
public final class RowSample {
  private RowSample() {}

  /**
   * The sample, persisted (memory and disk) and counted.
   *
   * @param rows rows with a {@code row} column of distinct longs
   * @param n rows to keep, at most the rows of {@code rows}
   * @param seed seed of the draw
   * @return exactly {@code n} rows, as many partitions as {@code rows}
   * @throws IllegalArgumentException if {@code n} is more than the rows of {@code rows}
   */
  public static Dataset<Row> of(Dataset<Row> rows, int n, long seed) {
    List<Long> ids = rows.select(FeatureInput.ROW_COL).as(Encoders.LONG()).collectAsList();
    if (n > ids.size()) {
      throw new IllegalArgumentException("a sample of " + n + " rows is more than the "
          + ids.size() + " rows");
    }
    List<Long> shuffled = new ArrayList<>(ids);
    Collections.shuffle(shuffled, new Random(seed));
    TreeSet<Long> keep = new TreeSet<>(shuffled.subList(0, n));
    Dataset<Row> keepDf = rows.sparkSession()
        .createDataset(new ArrayList<>(keep), Encoders.LONG()).toDF(FeatureInput.ROW_COL);
    Dataset<Row> sample = rows.join(functions.broadcast(keepDf), FeatureInput.ROW_COL)
        .repartition(Math.max(1, rows.rdd().getNumPartitions()))
        .sortWithinPartitions(FeatureInput.ROW_COL)
        .persist(StorageLevel.MEMORY_AND_DISK());
    sample.count();
    return sample;
  }
}
