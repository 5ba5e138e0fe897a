package org.ccespark.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Turns a DataFrame's vector column into cached per-partition blocks of {@code double[]}
 * ({@link PartitionData}), validating every row on the way: a null, NaN, infinite or
 * wrong-length vector is reported with its 0-based row index in the DataFrame's order
 * (partition order, then position within the partition).
 */
final class FeatureBlocks {
  final JavaRDD<PartitionData> rdd;
  final int[] partitionRows;
  final int dim;
  final long numRows;

  private FeatureBlocks(JavaRDD<PartitionData> rdd, int[] partitionRows, int dim, long numRows) {
    this.rdd = rdd;
    this.partitionRows = partitionRows;
    this.dim = dim;
    this.numRows = numRows;
  }

  /**
   * Caches the blocks (memory, spilling to disk) and checks them.
   *
   * @throws IllegalArgumentException naming the first invalid row, or for empty input
   */
  static FeatureBlocks cache(Dataset<Row> data, String featuresCol) {
    int col = data.schema().fieldIndex(featuresCol);
    JavaRDD<PartitionData> rdd = data.toJavaRDD()
        .mapPartitions(rows -> Collections.singletonList(build(rows, col)).iterator(), true)
        .persist(StorageLevel.MEMORY_AND_DISK());
    List<PartitionData.Info> infos = rdd.map(PartitionData::info).collect();
    int[] counts = new int[infos.size()];
    long offset = 0;
    int dim = -1;
    long dimRow = -1;
    for (int p = 0; p < infos.size(); p++) {
      PartitionData.Info info = infos.get(p);
      if (info.badReason() != null) {
        rdd.unpersist(false);
        throw new IllegalArgumentException("features column '" + featuresCol + "': row "
            + (offset + info.badRow()) + " " + info.badReason());
      }
      if (info.rows() > 0) {
        if (dim < 0) {
          dim = info.dim();
          dimRow = offset;
        } else if (info.dim() != dim) {
          rdd.unpersist(false);
          throw new IllegalArgumentException("features column '" + featuresCol + "': row " + offset
              + " has " + info.dim() + " values but row " + dimRow + " has " + dim);
        }
      }
      counts[p] = info.rows();
      offset += info.rows();
    }
    if (offset == 0) {
      rdd.unpersist(false);
      throw new IllegalArgumentException("the input has no rows");
    }
    return new FeatureBlocks(rdd, counts, dim, offset);
  }

  private static PartitionData build(Iterator<Row> rows, int col) {
    List<double[]> blocks = new ArrayList<>();
    double[] block = null;
    int dim = -1;
    int n = 0;
    while (rows.hasNext()) {
      Row row = rows.next();
      Object value = row.get(col);
      if (value == null) {
        return invalid(n, "has a null vector");
      }
      if (!(value instanceof Vector)) {
        return invalid(n, "is not a vector but " + value.getClass().getSimpleName());
      }
      Vector v = (Vector) value;
      if (dim < 0) {
        dim = v.size();
        if (dim == 0) {
          return invalid(n, "has an empty vector");
        }
      } else if (v.size() != dim) {
        return invalid(n, "has " + v.size() + " values but the partition's first row has " + dim);
      }
      int inBlock = n % PartitionData.BLOCK_ROWS;
      if (inBlock == 0) {
        block = new double[PartitionData.BLOCK_ROWS * dim];
        blocks.add(block);
      }
      int off = inBlock * dim;
      for (int d = 0; d < dim; d++) {
        double x = v.apply(d);
        if (!Double.isFinite(x)) {
          return invalid(n, "has " + (Double.isNaN(x) ? "NaN" : "an infinite value")
              + " at index " + d);
        }
        block[off + d] = x;
      }
      n++;
    }
    if (block != null && n % PartitionData.BLOCK_ROWS != 0) { // trim the last block
      int last = blocks.size() - 1;
      double[] trimmed = new double[(n % PartitionData.BLOCK_ROWS) * dim];
      System.arraycopy(blocks.get(last), 0, trimmed, 0, trimmed.length);
      blocks.set(last, trimmed);
    }
    return new PartitionData(blocks.toArray(new double[0][]), n, Math.max(dim, 0), -1, null);
  }

  private static PartitionData invalid(int row, String reason) {
    return new PartitionData(new double[0][], 0, 0, row, reason);
  }

  void unpersist() {
    rdd.unpersist(false);
  }
}
