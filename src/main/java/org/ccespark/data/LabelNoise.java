package org.ccespark.data;

import java.util.Arrays;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.functions;

/**
 * Labels prepared for the paper's semi-supervised and noisy-label experiments, drawn per row from a
 * hash of the row's key and the seed, so that the same seed picks the same rows whatever the
 * partitioning:
 *
 * <ul>
 *   <li>{@link #withSeedLabels}: Table 5's seed labels, the label on a fraction of the rows and
 *       null elsewhere;
 *   <li>{@link #withNoisyTargets}: Figure 2's noisy soft targets, a fraction η of the labels
 *       replaced by a uniformly random one and every target {@code η·u + (1-η)·onehot(observed
 *       label)} (label smoothing at the noise rate, as the paper recommends after Müller et al.).
 * </ul>
 *
 * <p>The key is the {@code row} column ({@link FeatureInput#ROW_COL}) when the rows have one; rows
 * without it are keyed by {@code monotonically_increasing_id()}, which is reproducible only for the
 * same partitioning.
 */
public final class LabelNoise {
  private LabelNoise() {}

  /** Table 5: the seed-label column {@link #withSeedLabels} adds. */
  public static final String SEED_LABEL_COL = FeatureInput.SEED_LABEL_COL;
  /** Figure 2: the observed (possibly randomised) label. */
  public static final String NOISY_LABEL_COL = "noisyLabel";
  /** Figure 2: the soft target vector. */
  public static final String TARGET_COL = "target";
  /** Draws are hashes modulo this: probabilities are resolved to 1e-6. */
  private static final long RESOLUTION = 1_000_000L;

  /**
   * The rows with {@link #SEED_LABEL_COL}: the {@code label} on a fraction {@code f} of the rows
   * (chosen by a hash of the row key and the seed), null elsewhere.
   *
   * @param rows rows with an integer {@code label} column
   * @param f the fraction of labelled rows, in [0, 1]
   * @param seed seed of the draw
   */
  public static Dataset<Row> withSeedLabels(Dataset<Row> rows, double f, long seed) {
    Column u = draw(rows, seed, "seed-labels", RESOLUTION);
    return rows.withColumn(SEED_LABEL_COL, functions.when(u.lt(Math.round(f * RESOLUTION)),
        functions.col(FeatureInput.LABEL_COL)));
  }

  /**
   * The rows with {@link #NOISY_LABEL_COL} and {@link #TARGET_COL}: a fraction {@code eta} of the
   * rows (chosen by a hash of the row key and the seed) get a uniformly random label in [0, k)
   * instead of theirs (which may be the same), and every row's target is the vector with
   * {@code (1-eta) + eta/k} at its observed label and {@code eta/k} elsewhere. A label that is not
   * an integer in [0, k) gets a one-value target that the trainer rejects naming its row.
   *
   * @param rows rows with an integer {@code labelCol} in [0, k)
   * @param labelCol the label column
   * @param k number of classes
   * @param eta noise rate in [0, 1]
   * @param seed seed of the noise
   * @throws IllegalArgumentException for eta outside [0, 1] or k below 1
   */
  public static Dataset<Row> withNoisyTargets(Dataset<Row> rows, String labelCol, int k,
      double eta, long seed) {
    if (!(eta >= 0 && eta <= 1)) {
      throw new IllegalArgumentException("eta must be in [0, 1], got " + eta);
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    Column u = draw(rows, seed, "noise", RESOLUTION);
    Column random = draw(rows, seed, "random-label", k).cast("int");
    Column replaced = u.lt(Math.round(eta * RESOLUTION));
    Dataset<Row> observed = rows.withColumn(NOISY_LABEL_COL, functions.when(replaced, random)
        .otherwise(functions.col(labelCol).cast("int")));
    final int classes = k;
    final double hi = (1 - eta) + eta / k;
    final double lo = eta / k;
    UDF3<Object, Boolean, Integer, Vector> target = (label, noisy, randomLabel) -> {
      if (label == null) {
        return null;
      }
      double l = ((Number) label).doubleValue();
      if (!(l >= 0 && l < classes && l == Math.rint(l))) {
        return Vectors.dense(new double[] {l}); // rejected with its row by the trainer
      }
      double[] t = new double[classes];
      Arrays.fill(t, lo);
      t[noisy ? randomLabel : (int) l] = hi;
      return Vectors.dense(t);
    };
    return observed.withColumn(TARGET_COL, functions.udf(target, SQLDataTypes.VectorType())
        .apply(functions.col(labelCol), replaced, random));
  }

  /** A hash of the row key, the seed and a purpose, in [0, modulus). */
  private static Column draw(Dataset<Row> rows, long seed, String purpose, long modulus) {
    Column key = Arrays.asList(rows.columns()).contains(FeatureInput.ROW_COL)
        ? functions.col(FeatureInput.ROW_COL) : functions.monotonically_increasing_id();
    return functions.pmod(functions.xxhash64(key, functions.lit(seed), functions.lit(purpose)),
        functions.lit(modulus));
  }
}
