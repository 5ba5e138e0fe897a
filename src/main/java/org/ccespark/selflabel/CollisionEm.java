package org.ccespark.selflabel;

import java.util.Arrays;
import org.ccespark.math.PseudoLabelEm;
import org.ccespark.math.SelfLabelingLoss;

/**
 * CCE with EM — this project's paper (Zhang and Boykov, "Collision Cross-entropy for Soft Class
 * Labels and Entropy-based Clustering"): the loss {@code L_CCE+ = mean_i H2(y_i, σ_i) + λ KL(u‖ȳ)}
 * (eq. 11) with the collision cross-entropy {@code H2(y, σ) = -ln Σ_k y_k σ_k} (eq. 9).
 *
 * <ul>
 *   <li>Pseudo-labels: the paper's EM (E-step eq. 14, Newton M-step of Theorem 1), from the start
 *       given ({@code y = σ}), accelerated by SQUAREM ({@link PseudoLabelEm#solveAccelerated}).
 *       Fixed rows count in every E-step (column sums over all rows) but are not updated: for
 *       one-hot fixed rows (seed labels) the same SQUAREM EM runs with their σ replaced by their
 *       label, which makes them their own M-step solution; for soft fixed rows, plain EM puts them
 *       back after every M-step (the M-step is per point, so both are exactly EM on the free
 *       rows).</li>
 *   <li>Classifier: {@code Σ_i H2(y_i, σ_i)}, gradient {@code σ_i - r_i} with
 *       {@code r_ik ∝ y_ik σ_ik}.</li>
 *   <li>λ: weight of the fairness term; the paper's default 100.</li>
 * </ul>
 */
public final class CollisionEm implements SelfLabelingObjective {
  private static final long serialVersionUID = 1L;

  private final double lambda;
  private final int maxIter;
  private final double tol;

  /**
   * @param lambda weight λ ≥ 0 of {@code KL(u‖ȳ)}
   * @param maxIter maximum EM iterations (M-steps) per solve
   * @param tol EM stops once no entry of {@code y} moves by more than this in an iteration
   */
  public CollisionEm(double lambda, int maxIter, double tol) {
    this.lambda = lambda;
    this.maxIter = maxIter;
    this.tol = tol;
  }

  @Override
  public int solve(double[] sigma, double[] y, int rows, int k, boolean[] fixed) {
    if (!NetworkLosses.anyFixed(fixed, rows)) {
      return PseudoLabelEm.solveAccelerated(sigma, y, rows, k, lambda, maxIter, tol).iterations();
    }
    if (NetworkLosses.allFixed(fixed, rows)) {
      return 0;
    }
    if (fixedRowsAreOneHot(y, rows, k, fixed)) {
      // A one-hot row y_i = e_l with σ_i replaced by e_l is its own M-step solution (only y_l
      // enters eq. 15), and it adds a constant to L_CCE+: so SQUAREM EM on the modified σ is EM on
      // the free rows with the fixed rows counted in every E-step, as fast as without them.
      double[] s = sigma.clone();
      for (int i = 0; i < rows; i++) {
        if (fixed[i]) {
          System.arraycopy(y, i * k, s, i * k, k);
        }
      }
      return PseudoLabelEm.solveAccelerated(s, y, rows, k, lambda, maxIter, tol).iterations();
    }
    double[] sums = new double[k];
    double[] scratch = new double[3 * k];
    double[] prev = y.clone();
    int it = 0;
    double change = Double.POSITIVE_INFINITY;
    while (it < maxIter && change > tol) {
      Arrays.fill(sums, 0);
      PseudoLabelEm.addColumnSums(y, rows, k, sums);
      PseudoLabelEm.mStep(sigma, y, rows, k, lambda, rows, sums, scratch, null);
      change = 0;
      for (int i = 0; i < rows; i++) {
        int o = i * k;
        for (int c = 0; c < k; c++) {
          if (fixed[i]) {
            y[o + c] = prev[o + c];
          } else {
            change = Math.max(change, Math.abs(y[o + c] - prev[o + c]));
            prev[o + c] = y[o + c];
          }
        }
      }
      it++;
    }
    return it;
  }

  private static boolean fixedRowsAreOneHot(double[] y, int rows, int k, boolean[] fixed) {
    for (int i = 0; i < rows; i++) {
      if (!fixed[i]) {
        continue;
      }
      int ones = 0;
      for (int c = 0; c < k; c++) {
        double v = y[i * k + c];
        if (v == 1) {
          ones++;
        } else if (v != 0) {
          return false;
        }
      }
      if (ones != 1) {
        return false;
      }
    }
    return true;
  }

  /** {@code L_CCE+} of eq. 11. */
  @Override
  public double loss(double[] sigma, double[] y, int rows, int k) {
    return SelfLabelingLoss.ccePlus(sigma, y, rows, k, lambda);
  }

  @Override
  public double networkLoss(double[] z, double[] sigma, double[] y, int rows, int k,
      double[] grad) {
    return NetworkLosses.collision(z, y, rows, k, grad);
  }
}
