package org.ccespark.selflabel;

import org.ccespark.math.ProjectedGradientPseudoLabels;
import org.ccespark.math.SelfLabelingLoss;

/**
 * CCE with projected gradient descent — this project's paper, its first formulation: the loss
 * {@code L_CCE = mean_i H2(y_i, σ_i) + λ KL(ȳ‖u)} (eq. 10), whose pseudo-labels the paper solves by
 * PGD (section 4; the baseline of Table 1 and the "(10)" column of Table 6).
 *
 * <ul>
 *   <li>Pseudo-labels: {@link ProjectedGradientPseudoLabels} (Jacobi-style steps on
 *       {@code M·L_CCE} with the exact simplex projection) from the start given ({@code y = σ}),
 *       with step size {@code stepSize}, until no entry moves by more than {@code tol} or
 *       {@code maxIter} steps; fixed rows are not stepped but count in {@code ȳ}.</li>
 *   <li>Classifier: {@code Σ_i H2(y_i, σ_i)}, as {@link CollisionEm}.</li>
 *   <li>λ: weight of {@code KL(ȳ‖u)}; default 100 as for eq. 11.</li>
 * </ul>
 */
public final class CollisionPgd implements SelfLabelingObjective {
  private static final long serialVersionUID = 1L;

  private final double lambda;
  private final double stepSize;
  private final int maxIter;
  private final double tol;

  /**
   * @param lambda weight λ ≥ 0 of {@code KL(ȳ‖u)}
   * @param stepSize PGD step on {@code M·L_CCE} (the paper's step on the mean loss divided by M)
   * @param maxIter maximum PGD steps per solve
   * @param tol PGD stops once no entry of {@code y} moves by more than this in a step
   */
  public CollisionPgd(double lambda, double stepSize, int maxIter, double tol) {
    this.lambda = lambda;
    this.stepSize = stepSize;
    this.maxIter = maxIter;
    this.tol = tol;
  }

  @Override
  public int solve(double[] sigma, double[] y, int rows, int k, boolean[] fixed) {
    if (NetworkLosses.allFixed(fixed, rows)) {
      return 0;
    }
    return ProjectedGradientPseudoLabels.solve(sigma, y, rows, k, lambda, stepSize, maxIter, tol,
        fixed).iterations();
  }

  /** {@code L_CCE} of eq. 10. */
  @Override
  public double loss(double[] sigma, double[] y, int rows, int k) {
    return SelfLabelingLoss.cce(sigma, y, rows, k, lambda);
  }

  @Override
  public double networkLoss(double[] z, double[] sigma, double[] y, int rows, int k,
      double[] grad) {
    return NetworkLosses.collision(z, y, rows, k, grad);
  }
}
