package org.ccespark.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.storage.StorageLevel;

/**
 * Turns a DataFrame's feature column (vector, {@code array<double>} or {@code array<float>},
 * {@link FeatureValues}) into cached per-partition blocks of {@code double[]}
 * ({@link PartitionData}), validating every row on the way: a null, NaN, infinite or
 * wrong-length vector is reported with its 0-based row index in the DataFrame's order
 * (partition order, then position within the partition).
 *
 * <p>An optional target column gives some rows a label distribution: a number is a class index
 * in {@code [0, K)} (a seed label, stored one-hot), a vector of length K a soft target (entries
 * ≥ 0 summing to 1 within 1e-6); null means the row has none. Anything else is reported with its
 * row.
 */
final class FeatureBlocks {
  /** The cached RDD's name, as Spark's UI and storage status show it. */
  static final String RDD_NAME = "cce feature blocks";

  final JavaRDD<PartitionData> rdd;
  final int[] partitionRows;
  final int dim;
  final long numRows;
  /** Rows with a given label distribution (0 without a target column). */
  final long labelledRows;

  private FeatureBlocks(JavaRDD<PartitionData> rdd, int[] partitionRows, int dim, long numRows,
      long labelledRows) {
    this.rdd = rdd;
    this.partitionRows = partitionRows;
    this.dim = dim;
    this.numRows = numRows;
    this.labelledRows = labelledRows;
  }

  /**
   * Caches the blocks (memory, spilling to disk) and checks them.
   *
   * @throws IllegalArgumentException naming the first invalid row, or for empty input
   */
  static FeatureBlocks cache(Dataset<Row> data, String featuresCol) {
    return cache(data, featuresCol, null, 0);
  }

  /**
   * Caches the blocks and the given label distributions of {@code targetCol} for {@code k}
   * classes.
   *
   * @param targetCol numeric class index or vector column, or null for none
   * @throws IllegalArgumentException naming the first invalid row and its column, for empty
   *     input, or for a target column of another type
   */
  static FeatureBlocks cache(Dataset<Row> data, String featuresCol, String targetCol, int k) {
    int col = data.schema().fieldIndex(featuresCol);
    int targetIndex = -1;
    if (targetCol != null) {
      if (!Arrays.asList(data.columns()).contains(targetCol)) {
        throw new IllegalArgumentException("label column '" + targetCol
            + "' does not exist; available columns: " + String.join(", ", data.columns()));
      }
      targetIndex = data.schema().fieldIndex(targetCol);
      DataType type = data.schema().fields()[targetIndex].dataType();
      if (!(type instanceof NumericType) && !type.equals(SQLDataTypes.VectorType())) {
        throw new IllegalArgumentException("label column '" + targetCol
            + "' must hold numbers (class indices) or vectors (soft targets), not "
            + type.catalogString());
      }
    }
    int tcol = targetIndex;
    String featuresName = "features column '" + featuresCol + "'";
    String targetName = "label column '" + targetCol + "'";
    JavaRDD<PartitionData> rdd = data.toJavaRDD()
        .mapPartitions(rows -> Collections.singletonList(
            build(rows, col, featuresName, tcol, targetName, k)).iterator(), true)
        .persist(StorageLevel.MEMORY_AND_DISK())
        .setName(RDD_NAME);
    List<PartitionData.Info> infos = rdd.map(PartitionData::info).collect();
    int[] counts = new int[infos.size()];
    long offset = 0;
    int dim = -1;
    long dimRow = -1;
    long labelled = 0;
    for (int p = 0; p < infos.size(); p++) {
      PartitionData.Info info = infos.get(p);
      if (info.badReason() != null) {
        rdd.unpersist(false);
        throw new IllegalArgumentException(info.badColumn() + ": row "
            + (offset + info.badRow()) + " " + info.badReason());
      }
      labelled += info.labelled();
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
    return new FeatureBlocks(rdd, counts, dim, offset, labelled);
  }

  private static PartitionData build(Iterator<Row> rows, int col, String featuresName,
      int targetCol, String targetName, int k) {
    List<double[]> blocks = new ArrayList<>();
    List<double[]> targets = targetCol < 0 ? null : new ArrayList<>();
    double[] block = null;
    double[] targetBlock = null;
    int dim = -1;
    int n = 0;
    int labelled = 0;
    while (rows.hasNext()) {
      Row row = rows.next();
      double[] v;
      try {
        v = FeatureValues.values(row.get(col));
      } catch (IllegalArgumentException e) {
        return new PartitionData(n, featuresName, e.getMessage());
      }
      if (dim < 0) {
        dim = v.length;
        if (dim == 0) {
          return new PartitionData(n, featuresName, "has an empty vector");
        }
      } else if (v.length != dim) {
        return new PartitionData(n, featuresName, "has " + v.length
            + " values but the partition's first row has " + dim);
      }
      int inBlock = n % PartitionData.BLOCK_ROWS;
      if (inBlock == 0) {
        block = new double[PartitionData.BLOCK_ROWS * dim];
        blocks.add(block);
        if (targets != null) {
          targetBlock = new double[PartitionData.BLOCK_ROWS * k];
          targets.add(targetBlock);
        }
      }
      int off = inBlock * dim;
      for (int d = 0; d < dim; d++) {
        double x = v[d];
        if (!Double.isFinite(x)) {
          return new PartitionData(n, featuresName, "has "
              + (Double.isNaN(x) ? "NaN" : "an infinite value") + " at index " + d);
        }
        block[off + d] = x;
      }
      if (targets != null) {
        String bad = target(row.get(targetCol), k, targetBlock, inBlock * k);
        if (bad != null) {
          return new PartitionData(n, targetName, bad);
        }
        if (!Double.isNaN(targetBlock[inBlock * k])) {
          labelled++;
        }
      }
      n++;
    }
    int rest = n % PartitionData.BLOCK_ROWS;
    if (block != null && rest != 0) { // trim the last blocks
      int last = blocks.size() - 1;
      blocks.set(last, Arrays.copyOf(blocks.get(last), rest * dim));
      if (targets != null) {
        targets.set(last, Arrays.copyOf(targets.get(last), rest * k));
      }
    }
    return new PartitionData(blocks.toArray(new double[0][]), n, Math.max(dim, 0),
        targets == null ? null : targets.toArray(new double[0][]), labelled);
  }

  /**
   * Writes a row's label distribution to {@code out[off .. off+k)} ({@code NaN} first for none).
   *
   * @return what is wrong with the value, or null if it is valid
   */
  private static String target(Object value, int k, double[] out, int off) {
    if (value == null) {
      out[off] = Double.NaN;
      return null;
    }
    if (value instanceof Vector v) {
      if (v.size() != k) {
        return "has a target vector of length " + v.size() + ", expected k = " + k;
      }
      double sum = 0;
      for (int c = 0; c < k; c++) {
        double t = v.apply(c);
        if (!(t >= 0) || !Double.isFinite(t)) {
          return "has target value " + t + " at index " + c + "; targets must be >= 0";
        }
        out[off + c] = t;
        sum += t;
      }
      if (Math.abs(sum - 1) > 1e-6) {
        return "has a target vector summing to " + sum + ", not 1";
      }
      return null;
    }
    double label = ((Number) value).doubleValue();
    if (!(label >= 0 && label < k && label == Math.rint(label))) {
      return "has label " + value + ", which is not a class index in [0, " + k + ")";
    }
    Arrays.fill(out, off, off + k, 0.0);
    out[off + (int) label] = 1.0;
    return null;
  }

  void unpersist() {
    rdd.unpersist(false);
  }
}
