package org.ccespark.data;

import java.util.Iterator;
import java.util.SplittableRandom;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.ccespark.math.StandardNormal;

/**
 * A seeded generator of isotropic Gaussian blobs, for tests and the {@code bench} command: {@code k}
 * centres in {@code R^dim} with coordinates drawn from {@code N(0, centerStd²)}, and {@code n} points,
 * point {@code r} in blob {@code r mod k} at its centre plus {@code N(0, 1)} noise per coordinate.
 *
 * <p>Every point is drawn from its own random stream seeded by {@code (seed, r)}, so the data do not
 * depend on the number of partitions or on which executor computes them, and a lost cached
 * partition is recomputed identically. The default centre spread, {@code centerStd = 10 / sqrt(dim)},
 * puts centres about {@code 10·sqrt(2)} ≈ 14 noise standard deviations apart whatever the dimension:
 * well separated along the line between two centres, while the noise dominates each point's norm
 * (as with real high-dimensional features, where most variance is not cluster structure).
 */
public final class GaussianBlobs {
  /** Name of the row index column (long, 0..n-1). */
  public static final String ROW_COL = FeatureInput.ROW_COL;
  /** Name of the blob column (int, 0..k-1). */
  public static final String LABEL_COL = FeatureInput.LABEL_COL;
  /** Name of the feature column (dense ML vector of length dim). */
  public static final String FEATURES_COL = FeatureInput.DEFAULT_FEATURES_COL;

  private GaussianBlobs() {}

  /** The default standard deviation of the centre coordinates, {@code 10 / sqrt(dim)}. */
  public static double defaultCenterStd(int dim) {
    return 10.0 / Math.sqrt(dim);
  }

  /** The schema of {@link #generate}: {@code row}, {@code label}, {@code features}. */
  public static StructType schema() {
    return new StructType()
        .add(ROW_COL, DataTypes.LongType, false)
        .add(LABEL_COL, DataTypes.IntegerType, false)
        .add(FEATURES_COL, SQLDataTypes.VectorType(), false);
  }

  /** The {@code k × dim} centres, row-major, drawn from {@code seed}. */
  public static double[] centers(int k, int dim, double centerStd, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
    double[] c = new double[k * dim];
    for (int i = 0; i < c.length; i++) {
      c[i] = centerStd * StandardNormal.draw(rnd);
    }
    return c;
  }

  /** Point {@code row}'s coordinates into {@code out} (length dim). */
  public static void point(double[] centers, int k, int dim, long seed, long row, double[] out) {
    SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + row);
    int blob = (int) (row % k);
    for (int j = 0; j < dim; j++) {
      out[j] = centers[blob * dim + j] + StandardNormal.draw(rnd);
    }
  }

  /**
   * The blobs as a (lazy, uncached) Dataset of {@code n} rows in {@code partitions} partitions, in
   * row order, with {@link #defaultCenterStd}.
   */
  public static Dataset<Row> generate(SparkSession spark, long n, int dim, int k, long seed,
      int partitions) {
    return generate(spark, n, dim, k, defaultCenterStd(dim), seed, partitions);
  }

  /** As {@link #generate(SparkSession, long, int, int, long, int)} with a given centre spread. */
  public static Dataset<Row> generate(SparkSession spark, long n, int dim, int k, double centerStd,
      long seed, int partitions) {
    if (n < 1 || dim < 1 || k < 1 || partitions < 1 || !(centerStd >= 0)) {
      throw new IllegalArgumentException("GaussianBlobs needs n, dim, k, partitions >= 1 and"
          + " centerStd >= 0; got n=" + n + ", dim=" + dim + ", k=" + k + ", partitions="
          + partitions + ", centerStd=" + centerStd);
    }
    double[] centers = centers(k, dim, centerStd, seed);
    MapPartitionsFunction<Long, Row> rows = ids -> {
      double[] buf = new double[dim];
      return new Iterator<Row>() {
        @Override
        public boolean hasNext() {
          return ids.hasNext();
        }

        @Override
        public Row next() {
          long r = ids.next();
          point(centers, k, dim, seed, r, buf);
          return RowFactory.create(r, (int) (r % k), Vectors.dense(buf.clone()));
        }
      };
    };
    return spark.range(0, n, 1, partitions).mapPartitions(rows, Encoders.row(schema()));
  }

  /**
   * {@link #generate} persisted in memory (spilling to disk if needed) and materialised, so that
   * every estimator fitted on it reads the same cached rows; call {@code unpersist()} when done.
   */
  public static Dataset<Row> cached(SparkSession spark, long n, int dim, int k, long seed,
      int partitions) {
    Dataset<Row> data = generate(spark, n, dim, k, seed, partitions)
        .persist(StorageLevel.MEMORY_AND_DISK());
    data.count();
    return data;
  }

  /** The labels of rows {@code 0..n-1}, for scoring without a Spark job. */
  public static int[] labels(int n, int k) {
    int[] out = new int[n];
    for (int r = 0; r < n; r++) {
      out[r] = r % k;
    }
    return out;
  }
}
