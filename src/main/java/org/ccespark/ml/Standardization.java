package org.ccespark.ml;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.ccespark.math.ColumnScales;
import org.ccespark.spark.FeatureValues;

/**
 * The {@code standardization} of {@link CollisionClustering#fit}: the classifier trains on
 * features divided column by column by {@link ColumnScales#robustDivisors()} (scale 1 for the
 * typical column, no column far above it, data already at scale 1 unchanged), and the model is
 * converted back to the original feature space, as MLlib's {@code LogisticRegression} does.
 *
 * <p>Decisions: each divisor is a power of two, so the scaled features and the converted weights
 * are exact ({@code (W/s)·x == W·(x/s)} bit for bit) and the model's transform on the original data
 * equals the trained classifier on the scaled data. Columns are not centred: the bias absorbs the
 * offsets, and the converted model needs no intercept correction (which would cancel
 * catastrophically for columns with a large mean). A column with no variance is left out of
 * training (scaled to 0) and gets zero weights, as in MLlib.
 */
final class Standardization {
  private Standardization() {}

  /**
   * One pass over the features column: the divisors of {@link ColumnScales#divisors()}, or null
   * when some row is invalid (null, non-finite, another length), for the trainer to report with
   * its row, or there are no rows.
   */
  static double[] divisors(Dataset<Row> data, String featuresCol) {
    List<double[]> parts = data.select(featuresCol).toJavaRDD().mapPartitions(rows -> {
      ColumnScales acc = null;
      long invalid = 0;
      while (rows.hasNext()) {
        double[] x;
        try {
          x = FeatureValues.values(rows.next().get(0));
        } catch (IllegalArgumentException e) {
          invalid++;
          continue;
        }
        if (x.length == 0 || (acc != null && x.length != acc.dim()) || !finite(x)) {
          invalid++;
          continue;
        }
        if (acc == null) {
          acc = new ColumnScales(x.length);
        }
        acc.add(x);
      }
      double[] state = acc == null ? new double[] {0, 0} : acc.state();
      state[1] += invalid;
      return Collections.singletonList(state).iterator();
    }).collect();
    ColumnScales total = null;
    for (double[] state : parts) {
      if (state[1] > 0) {
        return null;
      }
      ColumnScales part = ColumnScales.fromState(state);
      if (part.rows() == 0) {
        continue;
      }
      if (total == null) {
        total = part;
      } else if (total.dim() != part.dim()) {
        return null;
      } else {
        total.merge(part);
      }
    }
    return total == null ? null : total.robustDivisors();
  }

  private static boolean finite(double[] x) {
    for (double v : x) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  /** {@code x / s} per column (0 where the divisor is 0). */
  static double[] scale(double[] x, double[] divisors) {
    double[] out = new double[x.length];
    for (int d = 0; d < out.length; d++) {
      out[d] = divisors[d] == 0 ? 0 : x[d] / divisors[d];
    }
    return out;
  }

  /** The data with the features column replaced by its standardized vectors. */
  static Dataset<Row> scaled(Dataset<Row> data, String featuresCol, double[] divisors) {
    UDF1<Object, Vector> f = cell -> Vectors.dense(scale(FeatureValues.values(cell), divisors));
    return data.withColumn(featuresCol,
        functions.udf(f, SQLDataTypes.VectorType()).apply(data.col(featuresCol)));
  }

  /**
   * W of the standardized features, row-major D×K, converted to the original features:
   * {@code W[d][k] / s_d} (0 for a column without variance). Exact: the divisors are powers of two.
   */
  static double[] toOriginalSpace(double[] weights, double[] divisors, int k) {
    double[] out = new double[weights.length];
    for (int d = 0; d < divisors.length; d++) {
      for (int c = 0; c < k; c++) {
        out[d * k + c] = divisors[d] == 0 ? 0 : weights[d * k + c] / divisors[d];
      }
    }
    return out;
  }

  /**
   * What is wrong with a fit's loss per epoch, or null: a non-finite loss (an error), or a loss
   * that never moved over two or more epochs (the classifier did not learn).
   */
  static String lossProblem(double[] losses, boolean standardized) {
    String hint = standardized ? "try a smaller stepSize (--step-size)"
        : "the features may be far from scale 1: turn standardization on (--standardization true)"
            + " or rescale them";
    for (int e = 0; e < losses.length; e++) {
      if (!Double.isFinite(losses[e])) {
        return "training loss is not finite (" + losses[e] + " in epoch " + (e + 1) + " of "
            + losses.length + "), so the model is not trained; " + hint;
      }
    }
    if (losses.length >= 2) {
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (double l : losses) {
        min = Math.min(min, l);
        max = Math.max(max, l);
      }
      if (max - min <= 1e-12 * Math.max(1, Math.abs(max))) {
        return "training loss never moved (" + max + " in all " + losses.length
            + " epochs), so the classifier did not learn; " + hint;
      }
    }
    return null;
  }

  /** The indices of the first {@code limit} columns with a zero divisor, for the log. */
  static List<Integer> constantColumns(double[] divisors, int limit) {
    List<Integer> out = new ArrayList<>();
    for (int d = 0; d < divisors.length && out.size() < limit; d++) {
      if (divisors[d] == 0) {
        out.add(d);
      }
    }
    return out;
  }
}
