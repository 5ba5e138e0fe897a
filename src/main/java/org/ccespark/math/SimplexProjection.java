package org.ccespark.math;

import java.util.Arrays;

/**
 * Exact Euclidean projection onto the probability simplex {@code Δ_K = {y ≥ 0, Σ y = 1}}:
 * {@code y = max(v - θ, 0)} with the unique {@code θ} that makes {@code Σ y = 1}, found by sorting
 * (Held, Wolfe and Crowder 1974; Duchi et al. 2008), {@code O(K log K)}.
 */
public final class SimplexProjection {
  private SimplexProjection() {}

  /**
   * Projects {@code v[off .. off+K)} onto the simplex in place.
   *
   * @param scratch work space of length at least K
   */
  public static void project(double[] v, int off, int k, double[] scratch) {
    System.arraycopy(v, off, scratch, 0, k);
    Arrays.sort(scratch, 0, k); // ascending; walk from the largest
    double cumulative = 0;
    double theta = 0;
    for (int j = k - 1; j >= 0; j--) {
      cumulative += scratch[j];
      double t = (cumulative - 1) / (k - j);
      if (j == 0 || scratch[j - 1] <= t) {
        theta = t;
        break;
      }
    }
    for (int c = 0; c < k; c++) {
      v[off + c] = Math.max(v[off + c] - theta, 0.0);
    }
  }
}
