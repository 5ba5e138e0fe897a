package org.ccespark.selflabel;

import org.ccespark.math.CrossEntropy;

/** The two classifier losses of the objectives, summed over a block, with logit gradients. */
final class NetworkLosses {
  private NetworkLosses() {}

  /** {@code Σ_i H2(y_i, σ_i)} (eq. 9) and {@code ∂/∂z_i = σ_i - r_i}. */
  static double collision(double[] z, double[] y, int rows, int k, double[] grad) {
    double loss = 0;
    for (int i = 0; i < rows; i++) {
      loss += CrossEntropy.collisionFromLogits(y, i * k, z, i * k, k, grad, i * k);
    }
    return loss;
  }

  /** {@code Σ_i H(y_i, σ_i)} (eq. 8) and {@code ∂/∂z_i = σ_i - y_i}. */
  static double shannon(double[] z, double[] y, int rows, int k, double[] grad) {
    double loss = 0;
    for (int i = 0; i < rows; i++) {
      loss += CrossEntropy.shannonFromLogits(y, i * k, z, i * k, k, grad, i * k);
    }
    return loss;
  }

  /** Mean Shannon cross-entropy {@code mean_i H(y_i, σ_i)}. */
  static double meanShannon(double[] sigma, double[] y, int rows, int k) {
    double s = 0;
    for (int i = 0; i < rows; i++) {
      s += CrossEntropy.shannon(y, i * k, sigma, i * k, k);
    }
    return s / rows;
  }

  /** Whether any row is fixed. */
  static boolean anyFixed(boolean[] fixed, int rows) {
    if (fixed == null) {
      return false;
    }
    for (int i = 0; i < rows; i++) {
      if (fixed[i]) {
        return true;
      }
    }
    return false;
  }

  /** Whether every row is fixed. */
  static boolean allFixed(boolean[] fixed, int rows) {
    if (fixed == null) {
      return false;
    }
    for (int i = 0; i < rows; i++) {
      if (!fixed[i]) {
        return false;
      }
    }
    return true;
  }
}
