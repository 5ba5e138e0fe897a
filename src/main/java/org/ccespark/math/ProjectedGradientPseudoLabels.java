package org.ccespark.math;

import java.util.Arrays;

/**
 * Projected gradient descent (PGD) for the pseudo-labels of {@code L_CCE} (eq. 10), the baseline of
 * the paper's Table 1. With the loss scaled by {@code M} so that the step size does not depend on
 * the number of points, the gradient for point {@code i} is
 *
 * <pre>
 *   ∂(M·L_CCE)/∂y_ik = -σ_ik / (σ_iᵀ y_i) + λ (ln(K ȳ_k) + 1)
 * </pre>
 *
 * and each iteration takes {@code y_i ← Π_Δ(y_i - η ∇_i)} for all points at once (Jacobi style,
 * {@code ȳ} from the previous iterate), with the exact projection of {@link SimplexProjection}.
 * {@code ln ȳ_k} is taken at {@code max(ȳ_k, 1e-300)} so an empty cluster gives a large, finite push.
 */
public final class ProjectedGradientPseudoLabels {
  private ProjectedGradientPseudoLabels() {}

  /** How a PGD solve ended. */
  public record Result(int iterations, boolean converged, double maxChange) {}

  /**
   * Runs PGD from the given {@code y} until no entry moves by more than {@code tol} in an iteration
   * or {@code maxIter} iterations ran.
   *
   * @param stepSize the step {@code η}
   */
  public static Result solve(double[] sigma, double[] y, int rows, int k, double lambda,
      double stepSize, int maxIter, double tol) {
    return solve(sigma, y, rows, k, lambda, stepSize, maxIter, tol, null);
  }

  /**
   * As {@link #solve(double[], double[], int, int, double, double, int, double)}, but rows with
   * {@code fixed[i]} keep their {@code y_i} (they still count in {@code ȳ}): PGD on the free rows
   * of eq. 10, as used by the semi-supervised mode.
   *
   * @param fixed rows whose labels are held fixed, or null for none
   */
  public static Result solve(double[] sigma, double[] y, int rows, int k, double lambda,
      double stepSize, int maxIter, double tol, boolean[] fixed) {
    return solve(sigma, y, rows, k, lambda, stepSize, maxIter, tol, fixed, false);
  }

  /**
   * PGD on {@code L_CCE+} (eq. 11) instead of eq. 10: the same iteration with the gradient of the
   * reversed divergence, {@code ∂(M·λ KL(u‖ȳ))/∂y_ik = −λ u_k / ȳ_k} ({@code u_k = 1/K}), so that
   * it can be compared with EM and the exact solver on the same loss (bench {@code em-vs-pgd}).
   */
  public static Result solvePlus(double[] sigma, double[] y, int rows, int k, double lambda,
      double stepSize, int maxIter, double tol) {
    return solve(sigma, y, rows, k, lambda, stepSize, maxIter, tol, null, true);
  }

  private static Result solve(double[] sigma, double[] y, int rows, int k, double lambda,
      double stepSize, int maxIter, double tol, boolean[] fixed, boolean plus) {
    double[] mean = new double[k];
    double[] fairGrad = new double[k];
    double[] row = new double[k];
    double[] scratch = new double[k];
    int it = 0;
    double maxChange = Double.POSITIVE_INFINITY;
    while (it < maxIter && maxChange > tol) {
      Arrays.fill(mean, 0);
      PseudoLabelEm.addColumnSums(y, rows, k, mean);
      for (int c = 0; c < k; c++) {
        double ybar = Math.max(mean[c] / rows, 1e-300);
        fairGrad[c] = plus ? -lambda / (k * ybar) : lambda * (Math.log(k * ybar) + 1);
      }
      maxChange = 0;
      for (int i = 0; i < rows; i++) {
        if (fixed != null && fixed[i]) {
          continue;
        }
        int o = i * k;
        double dot = 0;
        for (int c = 0; c < k; c++) {
          dot += sigma[o + c] * y[o + c];
        }
        double invDot = 1.0 / Math.max(dot, 1e-300);
        for (int c = 0; c < k; c++) {
          row[c] = y[o + c] - stepSize * (fairGrad[c] - sigma[o + c] * invDot);
        }
        SimplexProjection.project(row, 0, k, scratch);
        for (int c = 0; c < k; c++) {
          maxChange = Math.max(maxChange, Math.abs(row[c] - y[o + c]));
          y[o + c] = row[c];
        }
      }
      it++;
    }
    return new Result(it, maxChange <= tol, maxChange);
  }
}
