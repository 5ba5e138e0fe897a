package org.ccespark.math;

/**
 * Values of the self-labeling losses on a block of {@code M} points ({@code σ} and {@code y}
 * row-major {@code M × K}, {@code u} uniform):
 *
 * <ul>
 *   <li>{@code L_CCE  = mean_i H2(y_i, σ_i) + λ KL(ȳ‖u)} (eq. 10), solved for {@code y} by
 *       {@link ProjectedGradientPseudoLabels};</li>
 *   <li>{@code L_CCE+ = mean_i H2(y_i, σ_i) + λ KL(u‖ȳ)} (eq. 11), solved by {@link PseudoLabelEm};</li>
 *   <li>the EM upper bound (13) of {@code L_CCE+} for a given normalised-cluster matrix {@code S}.</li>
 * </ul>
 */
public final class SelfLabelingLoss {
  private SelfLabelingLoss() {}

  /** {@code mean_i H2(y_i, σ_i)}. */
  public static double meanCollision(double[] sigma, double[] y, int rows, int k) {
    double s = 0;
    for (int i = 0; i < rows; i++) {
      s += CrossEntropy.collision(y, i * k, sigma, i * k, k);
    }
    return s / rows;
  }

  /** The mean label {@code ȳ = (1/M) Σ_i y_i}. */
  public static double[] meanLabel(double[] y, int rows, int k) {
    double[] mean = new double[k];
    PseudoLabelEm.addColumnSums(y, rows, k, mean);
    for (int c = 0; c < k; c++) {
      mean[c] /= rows;
    }
    return mean;
  }

  /** {@code KL(u‖p) = Σ_k u_k ln(u_k / p_k)}, +∞ if some {@code p_k = 0}. */
  public static double klUniformTo(double[] p) {
    int k = p.length;
    double s = 0;
    for (double pk : p) {
      s += Math.log((1.0 / k) / pk) / k;
    }
    return s;
  }

  /** {@code KL(p‖u) = Σ_k p_k ln(p_k K)}, with {@code 0 ln 0 = 0}. */
  public static double klToUniform(double[] p) {
    int k = p.length;
    double s = 0;
    for (double pk : p) {
      if (pk > 0) {
        s += pk * Math.log(pk * k);
      }
    }
    return s;
  }

  /** {@code L_CCE} of eq. 10. */
  public static double cce(double[] sigma, double[] y, int rows, int k, double lambda) {
    return meanCollision(sigma, y, rows, k) + lambda * klToUniform(meanLabel(y, rows, k));
  }

  /** {@code L_CCE+} of eq. 11. */
  public static double ccePlus(double[] sigma, double[] y, int rows, int k, double lambda) {
    double fair = klUniformTo(meanLabel(y, rows, k));
    return meanCollision(sigma, y, rows, k) + (lambda == 0 ? 0 : lambda * fair);
  }

  /**
   * The EM bound (13) plus the constant {@code λ Σ_k u_k ln u_k}, so that it equals
   * {@code L_CCE+} when {@code S} is the E-step of {@code y} itself:
   * {@code mean_i H2(y_i, σ_i) - λ Σ_k u_k Σ_i S_ik ln(y_ik / (S_ik M)) + λ Σ_k u_k ln u_k} with
   * {@code S_ik = yPrev_ik / Σ_j yPrev_jk} (terms with {@code S_ik = 0} contribute 0).
   */
  public static double emBound(double[] sigma, double[] y, double[] yPrev, int rows, int k,
      double lambda) {
    double[] sums = new double[k];
    PseudoLabelEm.addColumnSums(yPrev, rows, k, sums);
    double fair = 0;
    for (int i = 0; i < rows; i++) {
      for (int c = 0; c < k; c++) {
        double s = sums[c] > 0 ? yPrev[i * k + c] / sums[c] : 0.0;
        if (s > 0) {
          fair -= (1.0 / k) * s * Math.log(y[i * k + c] / (s * rows));
        }
      }
    }
    fair += Math.log(1.0 / k);
    return meanCollision(sigma, y, rows, k) + (lambda == 0 ? 0 : lambda * fair);
  }
}
