package org.ccespark.spark;

import java.util.Arrays;

/**
 * How an epoch's solved pseudo-labels share the rows out, summed on the driver over the epoch's
 * mini-batches for the log: the rows per class by argmax (the class the classifier is trained
 * towards: {@code H₂(y, σ)} is lowest at σ = one-hot of argmax y), the pseudo-label mass
 * {@code Σ_i y_ic} per class (what the fairness term balances), and the rows whose largest entry
 * is below {@link #MIXED_BELOW}.
 */
final class PseudoLabelShares {
  /** A row whose largest pseudo-label entry is below this counts as mixed. */
  static final double MIXED_BELOW = 0.99;

  /** Rows per class by argmax (ties go to the first class). */
  final double[] byArgmax;
  /** {@code Σ_i y_ic} per class. */
  final double[] mass;
  /** Rows whose largest entry is below {@link #MIXED_BELOW}. */
  double mixed;

  /** Empty shares of {@code k} classes. */
  PseudoLabelShares(int k) {
    byArgmax = new double[k];
    mass = new double[k];
  }

  /** Adds the {@code rows} pseudo-labels of {@code y} (row-major, {@code k} per row). */
  void add(double[] y, int rows, int k) {
    for (int i = 0; i < rows; i++) {
      int best = 0;
      for (int c = 0; c < k; c++) {
        mass[c] += y[i * k + c];
        if (y[i * k + c] > y[i * k + best]) {
          best = c;
        }
      }
      byArgmax[best]++;
      if (y[i * k + best] < MIXED_BELOW) {
        mixed++;
      }
    }
  }

  /** @return whether any row was added */
  boolean any() {
    return mixed > 0 || Arrays.stream(byArgmax).anyMatch(c -> c > 0);
  }

  /** Each value rounded to an integer, as {@code [a, b, ...]}. */
  static String rounded(double[] values) {
    StringBuilder sb = new StringBuilder("[");
    for (int c = 0; c < values.length; c++) {
      sb.append(c > 0 ? ", " : "").append(Math.round(values[c]));
    }
    return sb.append(']').toString();
  }
}
